DROP TRIGGER product_counts_category ON categories;
DROP FUNCTION product_counts_new_category();
DROP TRIGGER product_counts_update ON products;
DROP FUNCTION product_counts_recategorise();
DROP TRIGGER product_counts_delete ON products;
DROP TRIGGER product_counts_insert ON products;
DROP FUNCTION product_counts_track();
DROP TABLE product_counts;
