CREATE OR REPLACE FUNCTION product_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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

CREATE OR REPLACE FUNCTION product_counts_recategorise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE product_counts SET products = products - 1 WHERE category_id = OLD.category_id;
    UPDATE product_counts SET products = products + 1 WHERE category_id = NEW.category_id;
    RETURN NULL;
END $$;
