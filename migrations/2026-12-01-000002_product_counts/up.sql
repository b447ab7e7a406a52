-- The product list's totalCount without a filter, or with only a category, is read from these
-- per-category counters instead of counting the products table on every page view (§5; the
-- count was 5x the cost of the page itself at 20,000 products). Triggers keep them exact inside
-- the transaction that adds, removes or recategorises a product. Other filters still count.

CREATE TABLE product_counts (
    category_id  text   PRIMARY KEY REFERENCES categories (id) ON DELETE CASCADE,
    products     bigint NOT NULL CHECK (products >= 0)
);

INSERT INTO product_counts (category_id, products)
SELECT c.id, (SELECT count(*) FROM products p WHERE p.category_id = c.id)
FROM categories c;

CREATE FUNCTION product_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One statement per affected category, aggregated over the statement's rows, so a cascade
    -- that deletes a store's products touches each counter once.
    IF TG_OP = 'DELETE' THEN
        UPDATE product_counts pc SET products = pc.products - o.n
        FROM (SELECT category_id, count(*) AS n FROM old_rows GROUP BY category_id) o
        WHERE pc.category_id = o.category_id;
    ELSE
        UPDATE product_counts pc SET products = pc.products + o.n
        FROM (SELECT category_id, count(*) AS n FROM new_rows GROUP BY category_id) o
        WHERE pc.category_id = o.category_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER product_counts_insert AFTER INSERT ON products
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION product_counts_track();
CREATE TRIGGER product_counts_delete AFTER DELETE ON products
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION product_counts_track();

-- Only a real change of category moves a count: sales and review aggregates update products
-- on every order and review, and must not touch (and lock) a shared counter row.
CREATE FUNCTION product_counts_recategorise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE product_counts SET products = products - 1 WHERE category_id = OLD.category_id;
    UPDATE product_counts SET products = products + 1 WHERE category_id = NEW.category_id;
    RETURN NULL;
END $$;

CREATE TRIGGER product_counts_update AFTER UPDATE OF category_id ON products
    FOR EACH ROW WHEN (OLD.category_id IS DISTINCT FROM NEW.category_id)
    EXECUTE FUNCTION product_counts_recategorise();

-- A category added later starts at zero.
CREATE FUNCTION product_counts_new_category() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO product_counts (category_id, products) VALUES (NEW.id, 0);
    RETURN NULL;
END $$;

CREATE TRIGGER product_counts_category AFTER INSERT ON categories
    FOR EACH ROW EXECUTE FUNCTION product_counts_new_category();
