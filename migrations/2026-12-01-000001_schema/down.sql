DROP TABLE IF EXISTS notification_cursors, notifications, replies, inquiries, reviews, idempotency_records, point_transactions,
    payments, order_items, orders, cart_items, carts, stocks, products, favorite_stores, stores,
    refresh_tokens, users, categories, sizes, grades;
DROP FUNCTION IF EXISTS codiit_new_id();
