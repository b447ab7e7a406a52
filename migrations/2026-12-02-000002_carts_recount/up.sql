-- Cart.quantity is the cached sum of the cart's lines (§1.3). Before the fixes of this release,
-- a product's deletion left it counting the deleted lines, and writers now apply deltas to it,
-- so any drift is healed once here: a delta on a drifted total could otherwise go negative.
UPDATE carts c
SET quantity = s.total
FROM (
    SELECT c2.id, COALESCE(SUM(i.quantity), 0)::int AS total
    FROM carts c2 LEFT JOIN cart_items i ON i.cart_id = c2.id
    GROUP BY c2.id
) s
WHERE s.id = c.id AND c.quantity <> s.total;
