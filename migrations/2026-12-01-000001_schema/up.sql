-- The whole data model of the contract (spec §1). Ids are opaque text; the server generates them,
-- and the default lets SQL-generated data (benchmarks, operations tooling) insert rows too.
-- Names of unique constraints are stable: adapters map them to domain conflicts.

CREATE FUNCTION codiit_new_id() RETURNS text LANGUAGE sql VOLATILE
    AS $$ SELECT replace(gen_random_uuid()::text, '-', '') $$;

-- Product search matches substrings of product and store names (spec §5).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- Reference data -------------------------------------------------------------------------------

CREATE TABLE grades (
    id          text PRIMARY KEY,
    name        text    NOT NULL CONSTRAINT grades_name_key UNIQUE,
    rate        integer NOT NULL CHECK (rate BETWEEN 0 AND 100),
    min_amount  bigint  NOT NULL CONSTRAINT grades_min_amount_key UNIQUE CHECK (min_amount >= 0)
);

INSERT INTO grades (id, name, rate, min_amount) VALUES
    ('grade_green',  'Green',  1, 0),
    ('grade_orange', 'Orange', 2, 100000),
    ('grade_red',    'Red',    3, 300000),
    ('grade_black',  'Black',  4, 500000),
    ('grade_vip',    'VIP',    5, 1000000);

CREATE TABLE sizes (
    id    integer PRIMARY KEY CHECK (id BETWEEN 1 AND 6),
    name  text NOT NULL UNIQUE,
    en    text NOT NULL,
    ko    text NOT NULL
);

INSERT INTO sizes (id, name, en, ko) VALUES
    (1, 'XS', 'XS', '엑스스몰'),
    (2, 'S', 'S', '스몰'),
    (3, 'M', 'M', '미디엄'),
    (4, 'L', 'L', '라지'),
    (5, 'XL', 'XL', '엑스라지'),
    (6, 'FREE', 'FREE', '프리');

CREATE TABLE categories (
    id    text PRIMARY KEY,
    name  text NOT NULL UNIQUE CHECK (name = lower(name))
);

INSERT INTO categories (id, name) VALUES
    ('cat_top', 'top'), ('cat_bottom', 'bottom'), ('cat_dress', 'dress'), ('cat_outer', 'outer'),
    ('cat_skirt', 'skirt'), ('cat_shoes', 'shoes'), ('cat_acc', 'acc');

-- Accounts -------------------------------------------------------------------------------------

CREATE TABLE users (
    id                 text PRIMARY KEY DEFAULT codiit_new_id(),
    name               text   NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    email              text   NOT NULL CONSTRAINT users_email_key UNIQUE
                              CHECK (email = lower(email) AND char_length(email) BETWEEN 3 AND 254),
    password_hash      text   NOT NULL,
    type               text   NOT NULL CHECK (type IN ('BUYER', 'SELLER')),
    image              text   NOT NULL CHECK (image <> ''),
    points             bigint NOT NULL DEFAULT 0 CHECK (points >= 0),
    grade_id           text   NOT NULL DEFAULT 'grade_green' REFERENCES grades (id),
    cumulative_amount  bigint NOT NULL DEFAULT 0 CHECK (cumulative_amount >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE refresh_tokens (
    id            text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    text NOT NULL CONSTRAINT refresh_tokens_token_hash_key UNIQUE,
    expires_at    timestamptz NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rotated_at    timestamptz,
    -- Deferred: a rotation marks the presented token before its successor row is inserted,
    -- so the conditional UPDATE is the first statement and takes the row lock.
    successor_id  text REFERENCES refresh_tokens (id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,
    revoked_at    timestamptz
);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

-- Stores and favourites ------------------------------------------------------------------------

CREATE TABLE stores (
    id              text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id         text NOT NULL CONSTRAINT stores_user_id_key UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    name            text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    address         text NOT NULL CHECK (char_length(address) BETWEEN 1 AND 200),
    detail_address  text NOT NULL DEFAULT '' CHECK (char_length(detail_address) <= 200),
    phone_number    text NOT NULL CHECK (phone_number ~ '^\d{2,3}-?\d{3,4}-?\d{4}$'),
    content         text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 2000),
    image           text NOT NULL CHECK (image <> ''),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX stores_name_trgm_idx ON stores USING gin (name gin_trgm_ops);

CREATE TABLE favorite_stores (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store_id    text NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT favorite_stores_user_store_key UNIQUE (user_id, store_id)
);
CREATE INDEX favorite_stores_user_created_idx ON favorite_stores (user_id, created_at DESC, id DESC);
CREATE INDEX favorite_stores_store_created_idx ON favorite_stores (store_id, created_at);

-- Products and stock ---------------------------------------------------------------------------

CREATE TABLE products (
    id                   text PRIMARY KEY DEFAULT codiit_new_id(),
    store_id             text    NOT NULL REFERENCES stores (id) ON DELETE CASCADE,
    category_id          text    NOT NULL REFERENCES categories (id),
    name                 text    NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    content              text    NOT NULL DEFAULT '' CHECK (char_length(content) <= 100000),
    image                text    NOT NULL CHECK (image <> ''),
    price                bigint  NOT NULL CHECK (price BETWEEN 0 AND 1000000000),
    discount_rate        integer NOT NULL DEFAULT 0 CHECK (discount_rate BETWEEN 0 AND 100),
    discount_start_time  timestamptz,
    discount_end_time    timestamptz,
    -- Maintained aggregates (spec §4.6, §4.7): updated in the transaction that changes them,
    -- so the product list never scans reviews or order items.
    sales                bigint  NOT NULL DEFAULT 0 CHECK (sales >= 0),
    reviews_count        integer NOT NULL DEFAULT 0 CHECK (reviews_count >= 0),
    reviews_sum          bigint  NOT NULL DEFAULT 0 CHECK (reviews_sum >= 0),
    rate1_count          integer NOT NULL DEFAULT 0 CHECK (rate1_count >= 0),
    rate2_count          integer NOT NULL DEFAULT 0 CHECK (rate2_count >= 0),
    rate3_count          integer NOT NULL DEFAULT 0 CHECK (rate3_count >= 0),
    rate4_count          integer NOT NULL DEFAULT 0 CHECK (rate4_count >= 0),
    rate5_count          integer NOT NULL DEFAULT 0 CHECK (rate5_count >= 0),
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (discount_rate > 0 OR (discount_start_time IS NULL AND discount_end_time IS NULL)),
    CHECK (discount_start_time IS NULL OR discount_end_time IS NULL
           OR discount_start_time < discount_end_time),
    -- reviewsRating × 10, rounded half-up as §4.7 defines it; stored so `highRating` can use an index.
    reviews_rating_x10   integer GENERATED ALWAYS AS (
        CASE WHEN reviews_count = 0 THEN 0
             ELSE ((20 * reviews_sum + reviews_count) / (2 * reviews_count))::integer END
    ) STORED,
    CHECK (reviews_count = rate1_count + rate2_count + rate3_count + rate4_count + rate5_count)
);
CREATE INDEX products_store_created_idx ON products (store_id, created_at DESC, id DESC);
CREATE INDEX products_category_created_idx ON products (category_id, created_at DESC, id DESC);
CREATE INDEX products_created_idx ON products (created_at DESC, id DESC);
-- One index per sort of the product list (§5), each ending in created_at DESC, id DESC.
CREATE INDEX products_sales_idx ON products (sales DESC, created_at DESC, id DESC);
CREATE INDEX products_reviews_count_idx ON products (reviews_count DESC, created_at DESC, id DESC);
CREATE INDEX products_rating_idx ON products (reviews_rating_x10 DESC, reviews_count DESC, created_at DESC, id DESC);
CREATE INDEX products_price_asc_idx ON products (price ASC, created_at DESC, id DESC);
CREATE INDEX products_price_desc_idx ON products (price DESC, created_at DESC, id DESC);
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops);

CREATE TABLE stocks (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    product_id  text    NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    size_id     integer NOT NULL REFERENCES sizes (id),
    quantity    integer NOT NULL CHECK (quantity >= 0 AND quantity <= 1000000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT stocks_product_size_key UNIQUE (product_id, size_id)
);

-- Cart -----------------------------------------------------------------------------------------

CREATE TABLE carts (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    buyer_id    text    NOT NULL CONSTRAINT carts_buyer_id_key UNIQUE REFERENCES users (id) ON DELETE CASCADE,
    quantity    integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    cart_id     text    NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id  text    NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    size_id     integer NOT NULL REFERENCES sizes (id),
    quantity    integer NOT NULL CHECK (quantity >= 1),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cart_items_cart_product_size_key UNIQUE (cart_id, product_id, size_id)
);
CREATE INDEX cart_items_product_size_idx ON cart_items (product_id, size_id);

-- Orders, payments, points ---------------------------------------------------------------------

CREATE TABLE orders (
    id              text PRIMARY KEY DEFAULT codiit_new_id(),
    buyer_id        text REFERENCES users (id) ON DELETE SET NULL,
    name            text    NOT NULL CHECK (char_length(name) BETWEEN 1 AND 50),
    phone_number    text    NOT NULL CHECK (phone_number ~ '^[0-9-]{1,20}$'),
    address         text    NOT NULL CHECK (char_length(address) BETWEEN 1 AND 200),
    subtotal        bigint  NOT NULL CHECK (subtotal >= 0 AND subtotal < 9007199254740992),
    total_quantity  integer NOT NULL CHECK (total_quantity >= 1),
    use_point       bigint  NOT NULL DEFAULT 0 CHECK (use_point >= 0 AND use_point <= subtotal),
    earned_point    bigint  NOT NULL DEFAULT 0 CHECK (earned_point >= 0),
    status          text    NOT NULL CHECK (status IN ('WaitingPayment', 'CompletedPayment', 'Shipped', 'Cancelled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_buyer_created_idx ON orders (buyer_id, created_at DESC, id DESC);
CREATE INDEX orders_created_idx ON orders (created_at);

CREATE TABLE order_items (
    id             text PRIMARY KEY DEFAULT codiit_new_id(),
    order_id       text    NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id     text REFERENCES products (id) ON DELETE SET NULL,
    store_id       text    NOT NULL,  -- snapshot, deliberately no foreign key (§1.4)
    product_name   text    NOT NULL,
    product_image  text    NOT NULL,
    size_id        integer NOT NULL REFERENCES sizes (id),
    quantity       integer NOT NULL CHECK (quantity >= 1),
    price          bigint  NOT NULL CHECK (price >= 0),
    is_reviewed    boolean NOT NULL DEFAULT false,
    position       integer NOT NULL CHECK (position >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT order_items_order_position_key UNIQUE (order_id, position)
);
CREATE INDEX order_items_product_idx ON order_items (product_id);
CREATE INDEX order_items_store_idx ON order_items (store_id, created_at);

CREATE TABLE payments (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    order_id    text   NOT NULL CONSTRAINT payments_order_id_key UNIQUE REFERENCES orders (id) ON DELETE CASCADE,
    price       bigint NOT NULL CHECK (price >= 0),
    status      text   NOT NULL CHECK (status IN ('WaitingPayment', 'CompletedPayment', 'CancelledPayment')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE point_transactions (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id     text   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    order_id    text REFERENCES orders (id) ON DELETE CASCADE,
    delta       bigint NOT NULL CHECK (delta <> 0),
    reason      text   NOT NULL CHECK (reason IN ('SPEND_ORDER', 'EARN_PURCHASE', 'REFUND_CANCEL', 'REVERT_CANCEL', 'ADMIN_ADJUST')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT point_transactions_order_reason_key UNIQUE (order_id, reason)
);
CREATE INDEX point_transactions_user_idx ON point_transactions (user_id, created_at);

CREATE TABLE idempotency_records (
    id             text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id        text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key            text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    request_hash   text NOT NULL,
    order_id       text REFERENCES orders (id) ON DELETE CASCADE,
    response_body  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT idempotency_records_user_key_key UNIQUE (user_id, key)
);
CREATE INDEX idempotency_records_created_idx ON idempotency_records (created_at);

-- Reviews, inquiries, replies ------------------------------------------------------------------

CREATE TABLE reviews (
    id             text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id        text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id     text REFERENCES products (id) ON DELETE SET NULL,
    order_item_id  text    NOT NULL CONSTRAINT reviews_order_item_id_key UNIQUE REFERENCES order_items (id) ON DELETE CASCADE,
    rating         integer NOT NULL CHECK (rating BETWEEN 1 AND 5),
    content        text    NOT NULL CHECK (char_length(content) BETWEEN 10 AND 500),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX reviews_product_created_idx ON reviews (product_id, created_at DESC, id DESC);
CREATE INDEX reviews_user_idx ON reviews (user_id);

CREATE TABLE inquiries (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id     text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id  text    NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    title       text    NOT NULL CHECK (char_length(title) BETWEEN 1 AND 50),
    content     text    NOT NULL CHECK (char_length(content) BETWEEN 1 AND 500),
    status      text    NOT NULL DEFAULT 'WaitingAnswer' CHECK (status IN ('WaitingAnswer', 'CompletedAnswer')),
    is_secret   boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inquiries_product_created_idx ON inquiries (product_id, created_at DESC, id DESC);
CREATE INDEX inquiries_user_created_idx ON inquiries (user_id, created_at DESC, id DESC);

CREATE TABLE replies (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    inquiry_id  text NOT NULL CONSTRAINT replies_inquiry_id_key UNIQUE REFERENCES inquiries (id) ON DELETE CASCADE,
    user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content     text NOT NULL CHECK (char_length(content) BETWEEN 1 AND 500),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replies_user_idx ON replies (user_id);

-- Notifications --------------------------------------------------------------------------------

-- The last SSE cursor handed out per user (spec §1.3 User.notificationSeq). Kept apart from the
-- user row: taking a cursor locks this row until commit, which orders one recipient's
-- notifications, and must not collide with the buyer-row lock every order takes.
CREATE TABLE notification_cursors (
    user_id  text   PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    seq      bigint NOT NULL CHECK (seq >= 1)
);

CREATE TABLE notifications (
    id          text PRIMARY KEY DEFAULT codiit_new_id(),
    user_id     text    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    seq         bigint  NOT NULL CHECK (seq >= 1),  -- the per-recipient SSE cursor (§4.8)
    type        text    NOT NULL CHECK (type IN ('NEW_INQUIRY', 'INQUIRY_ANSWERED', 'OUT_OF_STOCK_SELLER',
                                                 'OUT_OF_STOCK_CART', 'OUT_OF_STOCK_ORDER', 'SYSTEM')),
    content     text    NOT NULL,
    dedup_key   text    NOT NULL,  -- identical unread notifications are not repeated
    product_id  text REFERENCES products (id) ON DELETE SET NULL,
    size_id     integer REFERENCES sizes (id),
    inquiry_id  text REFERENCES inquiries (id) ON DELETE SET NULL,
    order_id    text REFERENCES orders (id) ON DELETE SET NULL,
    is_checked  boolean NOT NULL DEFAULT false,
    checked_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT notifications_user_seq_key UNIQUE (user_id, seq)
);
CREATE UNIQUE INDEX notifications_unread_dedup_key ON notifications (user_id, dedup_key) WHERE NOT is_checked;
CREATE INDEX notifications_user_created_idx ON notifications (user_id, created_at DESC, id DESC);
