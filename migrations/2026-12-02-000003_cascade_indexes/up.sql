-- Deleting a product, an inquiry or a refresh token sets the references to it to null. Without
-- an index on the referencing column, each deleted row cost a sequential scan of the
-- notifications (or refresh tokens) table while the deletion held its locks, so deleting a
-- large seller account could keep orders on its products waiting past lock_timeout.
-- Partial: most notifications reference no product or no inquiry, and the cascade's lookup
-- (`= $1`) implies NOT NULL. Built in the migration's transaction, so inserts into these tables
-- wait while they build: on a large production table, create them CONCURRENTLY beforehand
-- (same names, IF NOT EXISTS below keeps the migration a no-op then).
CREATE INDEX IF NOT EXISTS notifications_product_id_idx ON notifications (product_id) WHERE product_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS notifications_inquiry_id_idx ON notifications (inquiry_id) WHERE inquiry_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS refresh_tokens_successor_id_idx ON refresh_tokens (successor_id) WHERE successor_id IS NOT NULL;
