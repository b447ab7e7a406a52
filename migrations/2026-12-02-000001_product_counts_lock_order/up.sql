-- The per-category counters are shared by every product write of a category. Each trigger
-- now locks the counters it is about to change in category-id order first, so two
-- transactions changing the same counters (opposite recategorisations, a store's deletion
-- cascading over several categories) take them in one order instead of deadlocking.

CREATE OR REPLACE FUNCTION product_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One statement per affected category, aggregated over the statement's rows, so a cascade
    -- that deletes a store's products touches each counter once.
    IF TG_OP = 'DELETE' THEN
        PERFORM 1 FROM product_counts
        WHERE category_id IN (SELECT category_id FROM old_rows)
        ORDER BY category_id FOR NO KEY UPDATE;
        UPDATE product_counts pc SET products = pc.products - o.n
        FROM (SELECT category_id, count(*) AS n FROM old_rows GROUP BY category_id) o
        WHERE pc.category_id = o.category_id;
    ELSE
        PERFORM 1 FROM product_counts
        WHERE category_id IN (SELECT category_id FROM new_rows)
        ORDER BY category_id FOR NO KEY UPDATE;
        UPDATE product_counts pc SET products = pc.products + o.n
        FROM (SELECT category_id, count(*) AS n FROM new_rows GROUP BY category_id) o
        WHERE pc.category_id = o.category_id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION product_counts_recategorise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM product_counts
    WHERE category_id IN (OLD.category_id, NEW.category_id)
    ORDER BY category_id FOR NO KEY UPDATE;
    UPDATE product_counts SET products = products - 1 WHERE category_id = OLD.category_id;
    UPDATE product_counts SET products = products + 1 WHERE category_id = NEW.category_id;
    RETURN NULL;
END $$;
