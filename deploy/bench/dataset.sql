-- CodiIt benchmark dataset.
--
--   psql "$url" -v ON_ERROR_STOP=1 -q -f deploy/bench/dataset.sql
--
-- Loads, into a freshly migrated and otherwise empty database:
--   200 sellers + 200 stores, 5,000 buyers, 20,000 products (~88.6k stock rows),
--   100,000 past orders (~160k order items, one payment each, point ledger), ~30% of the
--   completed order items reviewed, 20,000 inquiries (~60% answered).
-- Everything is set-based (generate_series, INSERT ... SELECT). Every value is a deterministic
-- function of the row number (hashint8extended), so two loads produce the same rows apart from
-- timestamps, which are relative to now() and the bcrypt salt.
--
-- The data obeys the business rules of the spec, not only the schema:
--   * products.sales = Σ quantity of the product's lines in non-cancelled orders (§4.6);
--   * review aggregates (reviews_count, reviews_sum, rateN_count) = aggregates of its reviews (§4.7),
--     and only items of non-cancelled orders have reviews, flagged with is_reviewed (§4.5, §4.7);
--   * users.cumulative_amount = Σ subtotal of the buyer's non-cancelled orders, grade_id the
--     highest grade with min_amount <= it (§4.2);
--   * orders.earned_point = floor((subtotal - use_point) * rate / 100) with the rate of the grade
--     the buyer held before that order (cancelled orders count as cancelled right away);
--   * use_point never exceeds the balance at the time of the order, the ledger holds one row per
--     balance change (SPEND_ORDER / EARN_PURCHASE, plus REFUND_CANCEL / REVERT_CANCEL for cancelled
--     orders) and users.points = Σ of the user's ledger deltas;
--   * order line prices are the discounted price when the order fell in the product's discount
--     window (§4.3, binary64 as the spec prescribes), orders only contain products that already
--     existed, reviews follow their order, replies follow their inquiry.
--
-- Fixed conventions other code depends on:
--   password of every bench user: BenchPass1!
--   users    bench-seller-<1..200>  seller<n>@bench.codiit   bench-buyer-<1..5000>  buyer<n>@bench.codiit
--   stores   bench-store-<n> (owned by bench-seller-<n>)
--   products bench-product-<n>, store bench-store-<((n-1) % 200) + 1>, categories cycling
--            cat_top, cat_bottom, cat_dress, cat_outer, cat_skirt, cat_shoes, cat_acc
--   stocks   bench-stock-<n>-<sizeId>; sizes 1..5, cat_acc only 6 (FREE);
--            bench-product-1 size 3 (M) holds 1,000,000 units (the benchmark's hot size)
--   orders   bench-order-<n>, items bench-oi-<n>-<pos>, payments bench-pay-<n>,
--            ledger bench-pt-<n>-{spend,earn,refund,revert}, reviews bench-review-<n>-<pos>,
--            inquiries bench-inquiry-<n>, replies bench-reply-<n>
--   bench-order-1 is the most recent order, bench-order-100000 the oldest (~355 days ago).
--   Orders are spread unevenly over buyers (1 to ~200 each, every buyer has at least one), so
--   grades range from Green to VIP: read an order's buyer from the database, do not derive it.

\set ON_ERROR_STOP on

-- Early exit: the dataset is loaded once per database.
SELECT EXISTS (SELECT 1 FROM users WHERE id = 'bench-buyer-1') AS bench_present \gset
\if :bench_present
  \echo 'bench dataset already present: nothing to do'
  \quit
\endif

-- Must be set before the session first touches a temporary table.
SET temp_buffers = '256MB';

BEGIN;

SET LOCAL work_mem = '256MB';
SET LOCAL synchronous_commit = off;

CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- Deterministic pseudo-random numbers: rnd(key, salt) is uniform in [0, 1); each salt is an
-- independent stream. hashint8extended is a built-in C function, so this inlines and stays fast.
CREATE FUNCTION pg_temp.rnd(key bigint, salt bigint) RETURNS float8
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT (hashint8extended(key, salt) & 281474976710655)::float8 / 281474976710656.0 $$;

-- The one bcrypt hash (cost 10) shared by every bench user: hashing 5,200 times would take minutes.
CREATE TEMP TABLE t_pw ON COMMIT DROP AS
SELECT crypt('BenchPass1!', gen_salt('bf', 10)) AS hash;

-- Products -------------------------------------------------------------------------------------
-- Names are "<adjective> <colour> <noun> <n>": 'Linen' is 1 adjective of 33 (~3% of names) and
-- 7 of the 20 top nouns contain 'shirt' (tops are 1/7 of products, so ~5% of names), which gives
-- the trigram search realistic selectivities. Store names avoid both words.
CREATE TEMP TABLE t_prod ON COMMIT DROP AS
SELECT n,
       'bench-product-' || n                                   AS id,
       'bench-store-' || (((n - 1) % 200) + 1)                 AS store_id,
       'bench-seller-' || (((n - 1) % 200) + 1)                AS seller_id,
       cat_idx,
       (ARRAY['cat_top', 'cat_bottom', 'cat_dress', 'cat_outer', 'cat_skirt', 'cat_shoes',
              'cat_acc'])[cat_idx + 1]                         AS category_id,
       adj || ' ' || colour || ' ' || noun || ' ' || n          AS name,
       '<p>' || adj || ' ' || lower(noun) || ' in ' || lower(colour) || '. '
             || (ARRAY['Easy to style for every day.', 'Made to last, season after season.',
                       'A relaxed fit with clean lines.', 'Pairs well with denim and sneakers.',
                       '편안한 착용감의 데일리 아이템입니다.', '사계절 내내 활용하기 좋은 기본 아이템.',
                       '세탁 후에도 형태가 잘 유지됩니다.', '모델 착용 사이즈는 M입니다.'])
                       [1 + floor(pg_temp.rnd(n, 5) * 8)::int]
             || '</p>'                                          AS content,
       'https://cdn.codiit.example/products/' || n || '.jpg'    AS image,
       -- 5,000..300,000 in steps of 100, skewed to cheaper items (median ~42,000).
       (50 + floor(2951 * pg_temp.rnd(n, 6) ^ 3))::bigint * 100 AS price,
       CASE WHEN d < 0.24 THEN 10 + floor(pg_temp.rnd(n, 8) * 41)::int ELSE 0 END AS discount_rate,
       -- ~20% discounted now, ~4% with a window that ended a month ago.
       CASE WHEN d < 0.20 THEN now() - interval '10 days'
            WHEN d < 0.24 THEN now() - interval '60 days' END  AS discount_start_time,
       CASE WHEN d < 0.20 THEN now() + interval '20 days'
            WHEN d < 0.24 THEN now() - interval '30 days' END  AS discount_end_time,
       -- Product n was created n * 26 minutes ago (minus < 20 min jitter): newest first by id,
       -- spread over the last ~361 days, all distinct.
       now() - n * interval '26 minutes' - pg_temp.rnd(n, 9) * interval '20 minutes' AS created_at
FROM generate_series(1, 20000) AS n
CROSS JOIN LATERAL (SELECT (n - 1) % 7 AS cat_idx, pg_temp.rnd(n, 7) AS d) AS k
CROSS JOIN LATERAL (
    SELECT (ARRAY['Classic', 'Relaxed', 'Slim', 'Oversized', 'Cropped', 'Vintage', 'Basic',
                  'Essential', 'Cozy', 'Soft', 'Washed', 'Premium', 'Lightweight', 'Heavyweight',
                  'Structured', 'Minimal', 'Casual', 'Modern', 'Retro', 'Boxy', 'Tailored',
                  'Everyday', 'Signature', 'Urban', 'Textured', 'Ribbed', 'Quilted', 'Brushed',
                  'Layered', 'Loose', 'Fitted', 'Organic', 'Linen'])
               [1 + floor(pg_temp.rnd(n, 1) * 33)::int] AS adj,
           (ARRAY['Black', 'White', 'Ivory', 'Beige', 'Navy', 'Grey', 'Charcoal', 'Khaki', 'Olive',
                  'Brown', 'Camel', 'Sky Blue', 'Burgundy', 'Pink', 'Mint', 'Cream'])
               [1 + floor(pg_temp.rnd(n, 2) * 16)::int] AS colour,
           CASE k.cat_idx
             WHEN 0 THEN (ARRAY['Shirt', 'Oxford Shirt', 'T-Shirt', 'Sweatshirt', 'Flannel Shirt',
                                'Polo Shirt', 'Denim Shirt', 'Hoodie', 'Sweater', 'Cardigan',
                                'Knit Top', 'Blouse', 'Tank Top', 'Crop Top', 'Turtleneck',
                                'Henley', 'Knit Vest', 'Camisole', 'Long Sleeve Tee', 'Tunic'])
                         [1 + floor(pg_temp.rnd(n, 3) * 20)::int]
             WHEN 1 THEN (ARRAY['Jeans', 'Slacks', 'Chinos', 'Cargo Pants', 'Joggers', 'Shorts',
                                'Wide Pants', 'Sweatpants', 'Denim Shorts', 'Leggings', 'Trousers',
                                'Corduroy Pants'])[1 + floor(pg_temp.rnd(n, 3) * 12)::int]
             WHEN 2 THEN (ARRAY['Dress', 'Maxi Dress', 'Midi Dress', 'Mini Dress', 'Slip Dress',
                                'Wrap Dress', 'Knit Dress', 'Sundress', 'Jumpsuit', 'One-piece'])
                         [1 + floor(pg_temp.rnd(n, 3) * 10)::int]
             WHEN 3 THEN (ARRAY['Coat', 'Trench Coat', 'Jacket', 'Blazer', 'Parka', 'Padded Jacket',
                                'Windbreaker', 'Bomber Jacket', 'Wool Coat', 'Denim Jacket',
                                'Fleece Jacket', 'Leather Jacket'])[1 + floor(pg_temp.rnd(n, 3) * 12)::int]
             WHEN 4 THEN (ARRAY['Skirt', 'Mini Skirt', 'Midi Skirt', 'Pleated Skirt', 'A-line Skirt',
                                'Pencil Skirt', 'Tennis Skirt', 'Long Skirt'])
                         [1 + floor(pg_temp.rnd(n, 3) * 8)::int]
             WHEN 5 THEN (ARRAY['Sneakers', 'Boots', 'Loafers', 'Sandals', 'Ankle Boots',
                                'Running Shoes', 'Slip-ons', 'Mules', 'Derby Shoes', 'Heels'])
                         [1 + floor(pg_temp.rnd(n, 3) * 10)::int]
             ELSE        (ARRAY['Bag', 'Cap', 'Beanie', 'Tote Bag', 'Backpack', 'Belt', 'Scarf',
                                'Socks', 'Wallet', 'Bucket Hat', 'Crossbody Bag', 'Sunglasses'])
                         [1 + floor(pg_temp.rnd(n, 3) * 12)::int]
           END AS noun
) AS w;
ALTER TABLE t_prod ADD PRIMARY KEY (n);

-- Orders ---------------------------------------------------------------------------------------
-- Buyers are not equally active: every buyer has at least one past order, most have a handful,
-- a few have 80-200. Uniform spreading would put all 5,000 buyers in the VIP grade.
CREATE TEMP TABLE t_slot ON COMMIT DROP AS
SELECT b, s
FROM generate_series(1, 5000) AS b
CROSS JOIN LATERAL (SELECT pg_temp.rnd(b, 20) AS r, pg_temp.rnd(b, 21) AS r2) AS x
CROSS JOIN LATERAL generate_series(1, CASE
        WHEN r < 0.12 THEN 1
        WHEN r < 0.25 THEN 2
        WHEN r < 0.40 THEN 3 + floor(r2 * 3)::int      -- 3..5
        WHEN r < 0.60 THEN 6 + floor(r2 * 10)::int     -- 6..15
        WHEN r < 0.85 THEN 16 + floor(r2 * 25)::int    -- 16..40
        WHEN r < 0.97 THEN 41 + floor(r2 * 40)::int    -- 41..80
        ELSE 81 + floor(r2 * 120)::int                 -- 81..200
    END) AS s;

-- Exactly 100,000 orders: every buyer's first slot, then a pseudo-random selection of the rest.
-- The order number n is a pseudo-random permutation, so a buyer's orders spread over the year.
-- Order n is (n - 1 + jitter) * 5.112 minutes old: bench-order-1 is the newest, ~355 days span.
CREATE TEMP TABLE t_order ON COMMIT DROP AS
WITH picked AS (
    SELECT b, s FROM t_slot ORDER BY (s > 1), pg_temp.rnd(b * 1000 + s, 22) LIMIT 100000
), numbered AS (
    SELECT row_number() OVER (ORDER BY pg_temp.rnd(b * 1000 + s, 23)) AS n, b FROM picked
)
SELECT n, b,
       (n - 1 + pg_temp.rnd(n, 30)) * 5.112 AS age_min,
       now() - (n - 1 + pg_temp.rnd(n, 30)) * 5.112 * interval '1 minute' AS created_at,
       pg_temp.rnd(n, 34) < 0.05 AS cancelled
FROM numbered;
ALTER TABLE t_order ADD PRIMARY KEY (n);

-- 1-3 lines per order (55/30/15%). A line only picks products that existed at the order's time:
-- product p is >= p * 26 minutes old, so p >= age / 26 is safe. Older products thus sell more.
CREATE TEMP TABLE t_item ON COMMIT DROP AS
SELECT o.n, l.pos, p.n AS pn, p.id AS product_id, p.store_id, p.name AS product_name,
       p.image AS product_image,
       CASE WHEN p.cat_idx = 6 THEN 6
            ELSE (ARRAY[1, 2, 2, 3, 3, 3, 3, 4, 4, 5])[1 + floor(pg_temp.rnd(o.n * 4 + l.pos, 33) * 10)::int]
       END AS size_id,
       CASE WHEN q < 0.72 THEN 1 WHEN q < 0.93 THEN 2 ELSE 3 END AS quantity,
       -- §4.3: the discounted price if the order fell inside the discount window, in binary64.
       CASE WHEN p.discount_rate > 0 AND o.created_at >= p.discount_start_time
                 AND o.created_at <= p.discount_end_time
            THEN floor(p.price::float8 * (1.0::float8 - p.discount_rate::float8 / 100.0::float8))::bigint
            ELSE p.price
       END AS price,
       o.created_at
FROM t_order AS o
CROSS JOIN LATERAL (SELECT ceil(o.age_min / 26.0 + 0.001)::int AS n_min,
                           pg_temp.rnd(o.n, 31) AS kr) AS m
CROSS JOIN LATERAL generate_series(0, CASE WHEN m.kr < 0.55 THEN 0 WHEN m.kr < 0.85 THEN 1 ELSE 2 END) AS l(pos)
CROSS JOIN LATERAL (SELECT pg_temp.rnd(o.n * 4 + l.pos, 35) AS q) AS qq
JOIN t_prod AS p
  ON p.n = m.n_min + floor(pg_temp.rnd(o.n * 4 + l.pos, 32) * (20001 - m.n_min))::int;

-- Per-order totals, then the buyer's grade before each order (cumulative subtotal of the buyer's
-- earlier non-cancelled orders) and the points that order would earn without spending points.
CREATE TEMP TABLE t_ord2 ON COMMIT DROP AS
WITH tot AS (
    SELECT n, sum(price * quantity)::bigint AS subtotal, sum(quantity)::int AS total_quantity
    FROM t_item GROUP BY n
), cum AS (
    SELECT o.*, t.subtotal, t.total_quantity,
           coalesce(sum(CASE WHEN o.cancelled THEN 0 ELSE t.subtotal END)
                    OVER (PARTITION BY o.b ORDER BY o.created_at, o.n
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum_before,
           row_number() OVER (PARTITION BY o.b ORDER BY o.created_at DESC, o.n DESC) AS from_last,
           count(*) OVER (PARTITION BY o.b) AS buyer_orders
    FROM t_order AS o JOIN tot AS t USING (n)
)
SELECT c.*,
       (SELECT g.rate FROM grades AS g WHERE g.min_amount <= c.cum_before
        ORDER BY g.min_amount DESC LIMIT 1) AS rate_before
FROM cum AS c;

-- Points: only a buyer's latest order may spend points (about half of the buyers with 2+ orders),
-- and at most the balance it had then: the points earned by earlier non-cancelled orders, none of
-- which spent any. So no balance ever goes negative and the ledger replays exactly.
CREATE TEMP TABLE t_ord ON COMMIT DROP AS
WITH bal AS (
    SELECT o.*,
           coalesce(sum(CASE WHEN o.cancelled THEN 0 ELSE o.subtotal * o.rate_before / 100 END)
                    OVER (PARTITION BY o.b ORDER BY o.created_at, o.n
                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS balance_before
    FROM t_ord2 AS o
), spend AS (
    SELECT bal.*,
           CASE WHEN from_last = 1 AND buyer_orders >= 2 AND pg_temp.rnd(b, 40) < 0.5
                THEN least(subtotal, floor(balance_before * (0.2 + 0.8 * pg_temp.rnd(b, 41)) / 100) * 100)
                ELSE 0 END::bigint AS use_point
    FROM bal
)
SELECT n, b, 'bench-buyer-' || b AS buyer_id, created_at, cancelled,
       CASE WHEN cancelled THEN least(created_at + interval '30 minutes', now()) ELSE created_at END
           AS updated_at,
       subtotal, total_quantity, use_point,
       (subtotal - use_point) * rate_before / 100 AS earned_point   -- integer division = floor
FROM spend;
ALTER TABLE t_ord ADD PRIMARY KEY (n);

-- Reviews: ~30% of the lines of non-cancelled orders (cancellation deletes reviews, §4.5).
-- Ratings lean to 4-5 and depend on a per-product quality, so highRating ordering means something.
CREATE TEMP TABLE t_review ON COMMIT DROP AS
SELECT i.n, i.pos, i.pn, i.product_id, o.buyer_id,
       -- ~4% angry 1-star reviews; otherwise quality (3.3..5.1) plus noise: ~4/4/21/32/38% for 1..5.
       CASE WHEN pg_temp.rnd(i.n * 4 + i.pos, 57) < 0.04 THEN 1
            ELSE greatest(1, least(5, round(3.3 + 1.8 * pg_temp.rnd(i.pn, 52)
                                            + 3 * (pg_temp.rnd(i.n * 4 + i.pos, 51) - 0.5))))::int
       END AS rating,
       left(concat_ws(' ',
            (ARRAY['배송이 빠르고 포장도 꼼꼼했어요.', '사이즈가 딱 맞아요. 정사이즈 추천합니다.',
                   'Fits true to size, very comfortable.', '색감이 화면이랑 거의 같아요!',
                   '가격 대비 품질이 좋아요.', 'Fabric feels nice and soft.',
                   '생각보다 얇아서 조금 아쉬워요.', '두 번째 구매입니다. 역시 만족해요.'])
                [1 + floor(pg_temp.rnd(i.n * 4 + i.pos, 53) * 8)::int],
            CASE WHEN len >= 2 THEN (ARRAY['재구매 의사 있습니다.', 'Would buy again.',
                   '세탁 후에도 변형이 없어요.', '친구에게도 추천했어요.', '마감이 조금 아쉽네요.'])
                [1 + floor(pg_temp.rnd(i.n * 4 + i.pos, 54) * 5)::int] END,
            CASE WHEN len >= 3 THEN repeat('착용감이 좋고 활용도가 높아서 자주 입게 되네요. ', len * 3) END),
            500) AS content,
       i.created_at + (now() - i.created_at) * (0.05 + 0.5 * pg_temp.rnd(i.n * 4 + i.pos, 55)) AS created_at
FROM t_item AS i
JOIN t_ord AS o ON o.n = i.n AND NOT o.cancelled
CROSS JOIN LATERAL (SELECT CASE WHEN r < 0.5 THEN 1 WHEN r < 0.85 THEN 2 ELSE 3 + floor(r * 10)::int - 8 END AS len
                    FROM (SELECT pg_temp.rnd(i.n * 4 + i.pos, 56) AS r) AS rr) AS ln
WHERE pg_temp.rnd(i.n * 4 + i.pos, 50) < 0.30;

-- Per-product aggregates, so products are written once with their final values.
CREATE TEMP TABLE t_pagg ON COMMIT DROP AS
SELECT p.n,
       coalesce(s.sales, 0) AS sales,
       coalesce(r.cnt, 0) AS reviews_count, coalesce(r.total, 0) AS reviews_sum,
       coalesce(r.c1, 0) AS c1, coalesce(r.c2, 0) AS c2, coalesce(r.c3, 0) AS c3,
       coalesce(r.c4, 0) AS c4, coalesce(r.c5, 0) AS c5
FROM t_prod AS p
LEFT JOIN (SELECT i.pn, sum(i.quantity) AS sales
           FROM t_item AS i JOIN t_ord AS o ON o.n = i.n AND NOT o.cancelled
           GROUP BY i.pn) AS s ON s.pn = p.n
LEFT JOIN (SELECT pn, count(*) AS cnt, sum(rating) AS total,
                  count(*) FILTER (WHERE rating = 1) AS c1, count(*) FILTER (WHERE rating = 2) AS c2,
                  count(*) FILTER (WHERE rating = 3) AS c3, count(*) FILTER (WHERE rating = 4) AS c4,
                  count(*) FILTER (WHERE rating = 5) AS c5
           FROM t_review GROUP BY pn) AS r ON r.pn = p.n;

-- Users ----------------------------------------------------------------------------------------
-- Sellers keep Green and 0 points (§4.2). Accounts predate every store, product and order.
INSERT INTO users (id, name, email, password_hash, type, image, points, grade_id, cumulative_amount,
                   created_at, updated_at)
SELECT 'bench-seller-' || n, 'Seller ' || n, 'seller' || n || '@bench.codiit', t_pw.hash, 'SELLER',
       'https://cdn.codiit.example/users/default.png', 0, 'grade_green', 0,
       now() - interval '420 days' + n * interval '7 minutes',
       now() - interval '420 days' + n * interval '7 minutes'
FROM generate_series(1, 200) AS n, t_pw;

-- Buyers: cumulative amount and grade from their non-cancelled orders, points = Σ ledger deltas
-- (earned minus spent on non-cancelled orders; cancelled ones net to zero).
INSERT INTO users (id, name, email, password_hash, type, image, points, grade_id, cumulative_amount,
                   created_at, updated_at)
SELECT 'bench-buyer-' || n, 'Buyer ' || n, 'buyer' || n || '@bench.codiit', t_pw.hash, 'BUYER',
       'https://cdn.codiit.example/users/default.png',
       a.points,
       (SELECT g.id FROM grades AS g WHERE g.min_amount <= a.cumulative
        ORDER BY g.min_amount DESC LIMIT 1),
       a.cumulative, c.created_at, greatest(c.created_at, a.last_change)
FROM generate_series(1, 5000) AS n
CROSS JOIN t_pw
CROSS JOIN LATERAL (SELECT now() - interval '365 days' - pg_temp.rnd(n, 70) * interval '35 days'
                           AS created_at) AS c
JOIN (SELECT b,
             sum(CASE WHEN cancelled THEN 0 ELSE subtotal END) AS cumulative,
             sum(CASE WHEN cancelled THEN 0 ELSE earned_point - use_point END) AS points,
             max(updated_at) AS last_change
      FROM t_ord GROUP BY b) AS a ON a.b = n;

-- Stores: 20 x 10 word combinations give 200 distinct names; none contains 'shirt' or 'linen'.
INSERT INTO stores (id, user_id, name, address, detail_address, phone_number, content, image,
                    created_at, updated_at)
SELECT 'bench-store-' || n, 'bench-seller-' || n,
       (ARRAY['Urban', 'Maison', 'Studio', 'Atelier', 'Daily', 'Mode', 'Seoul', 'Blue', 'North',
              'Little', 'Grand', 'Pure', 'Vintage', 'Hanok', 'Mellow', 'Olive', 'Sunday', 'Moss',
              'Harbor', 'Nomad'])[1 + (n - 1) % 20]
         || ' ' ||
       (ARRAY['Closet', 'Label', 'Works', 'Market', 'Lab', 'House', 'Select', 'Wear', 'Room', 'Co.'])
           [1 + (n - 1) / 20],
       '서울특별시 ' || (ARRAY['강남구', '마포구', '성동구', '용산구', '종로구', '송파구', '서초구', '중구'])
           [1 + (n - 1) % 8] || ' ' || (ARRAY['테헤란로', '와우산로', '성수이로', '이태원로', '종로',
           '올림픽로', '강남대로', '명동길'])[1 + (n * 3) % 8] || ' ' || (10 + (n * 37) % 290),
       (1 + n % 9) || '층 ' || (100 + n) || '호',
       '010-' || lpad(((n * 7919) % 10000)::text, 4, '0') || '-' || lpad(((n * 104729) % 10000)::text, 4, '0'),
       '감각적인 데일리 룩을 제안하는 셀렉트숍입니다. 매주 신상품이 업데이트됩니다. (store ' || n || ')',
       'https://cdn.codiit.example/stores/' || n || '.jpg',
       now() - interval '420 days' + n * interval '7 minutes' + interval '1 hour',
       now() - interval '420 days' + n * interval '7 minutes' + interval '1 hour'
FROM generate_series(1, 200) AS n;

-- Products and stock ---------------------------------------------------------------------------
INSERT INTO products (id, store_id, category_id, name, content, image, price, discount_rate,
                      discount_start_time, discount_end_time, sales, reviews_count, reviews_sum,
                      rate1_count, rate2_count, rate3_count, rate4_count, rate5_count,
                      created_at, updated_at)
SELECT p.id, p.store_id, p.category_id, p.name, p.content, p.image, p.price, p.discount_rate,
       p.discount_start_time, p.discount_end_time, a.sales, a.reviews_count, a.reviews_sum,
       a.c1, a.c2, a.c3, a.c4, a.c5, p.created_at, p.created_at
FROM t_prod AS p JOIN t_pagg AS a USING (n)
ORDER BY p.n;

-- Sizes XS..XL (1..5), FREE (6) only for accessories; 50..500 units, ~3% of sizes sold out.
INSERT INTO stocks (id, product_id, size_id, quantity, created_at, updated_at)
SELECT 'bench-stock-' || p.n || '-' || s, p.id, s,
       CASE WHEN p.n = 1 AND s = 3 THEN 1000000            -- the benchmark's hot size
            WHEN pg_temp.rnd(p.n * 8 + s, 60) < 0.03 THEN 0
            ELSE 50 + floor(pg_temp.rnd(p.n * 8 + s, 61) * 451)::int END,
       p.created_at, p.created_at
FROM t_prod AS p
CROSS JOIN LATERAL generate_series(CASE WHEN p.cat_idx = 6 THEN 6 ELSE 1 END,
                                   CASE WHEN p.cat_idx = 6 THEN 6 ELSE 5 END) AS s
ORDER BY p.n, s;

-- Orders, items, payments, ledger --------------------------------------------------------------
-- Recipient details vary a little from the account (gifts, office address).
INSERT INTO orders (id, buyer_id, name, phone_number, address, subtotal, total_quantity, use_point,
                    earned_point, status, created_at, updated_at)
SELECT 'bench-order-' || n, buyer_id,
       CASE WHEN pg_temp.rnd(n, 80) < 0.9 THEN 'Buyer ' || b ELSE 'Recipient ' || n END,
       '010-' || lpad(((b * 7919) % 10000)::text, 4, '0') || '-' || lpad(((b * 104729) % 10000)::text, 4, '0'),
       (ARRAY['서울특별시 강남구 테헤란로 ', '서울특별시 마포구 양화로 ', '경기도 성남시 분당구 판교역로 ',
              '부산광역시 해운대구 센텀중앙로 ', '인천광역시 연수구 컨벤시아대로 ', '대전광역시 유성구 대학로 '])
           [1 + b % 6] || (1 + (b * 13) % 300) || ', ' || (100 + b % 900) || '호',
       subtotal, total_quantity, use_point, earned_point,
       CASE WHEN cancelled THEN 'Cancelled' ELSE 'CompletedPayment' END,
       created_at, updated_at
FROM t_ord
ORDER BY n;

INSERT INTO order_items (id, order_id, product_id, store_id, product_name, product_image, size_id,
                         quantity, price, is_reviewed, position, created_at, updated_at)
SELECT 'bench-oi-' || i.n || '-' || i.pos, 'bench-order-' || i.n, i.product_id, i.store_id,
       i.product_name, i.product_image, i.size_id, i.quantity, i.price,
       r.n IS NOT NULL, i.pos, i.created_at, i.created_at
FROM t_item AS i
LEFT JOIN t_review AS r ON r.n = i.n AND r.pos = i.pos
ORDER BY i.n, i.pos;

INSERT INTO payments (id, order_id, price, status, created_at, updated_at)
SELECT 'bench-pay-' || n, 'bench-order-' || n, subtotal - use_point,
       CASE WHEN cancelled THEN 'CancelledPayment' ELSE 'CompletedPayment' END,
       created_at, updated_at
FROM t_ord
ORDER BY n;

-- One row per balance change (§4.2): spend and earn at creation, refund and revert at cancellation.
INSERT INTO point_transactions (id, user_id, order_id, delta, reason, created_at)
SELECT 'bench-pt-' || o.n || '-' || e.suffix, o.buyer_id, 'bench-order-' || o.n, e.delta, e.reason,
       e.at
FROM t_ord AS o
CROSS JOIN LATERAL (VALUES
    ('spend',  -o.use_point,   'SPEND_ORDER',   o.created_at,        true),
    ('earn',    o.earned_point, 'EARN_PURCHASE', o.created_at,        true),
    ('refund',  o.use_point,   'REFUND_CANCEL', o.updated_at,        o.cancelled),
    ('revert', -o.earned_point, 'REVERT_CANCEL', o.updated_at,        o.cancelled)
) AS e(suffix, delta, reason, at, applies)
WHERE e.applies AND e.delta <> 0
ORDER BY o.n;

-- Reviews --------------------------------------------------------------------------------------
INSERT INTO reviews (id, user_id, product_id, order_item_id, rating, content, created_at, updated_at)
SELECT 'bench-review-' || n || '-' || pos, buyer_id, product_id, 'bench-oi-' || n || '-' || pos,
       rating, content, created_at, created_at
FROM t_review
ORDER BY n, pos;

-- Inquiries and replies ------------------------------------------------------------------------
-- Asked some time after the product appeared; ~60% answered by the product's seller.
CREATE TEMP TABLE t_inq ON COMMIT DROP AS
SELECT g.n, 'bench-inquiry-' || g.n AS id,
       'bench-buyer-' || (1 + floor(pg_temp.rnd(g.n, 90) * 5000)::int) AS user_id,
       p.id AS product_id, p.seller_id,
       (ARRAY['사이즈 문의드립니다', '배송 언제 되나요?', '재입고 예정 있나요?', '색상 문의', '소재 문의드려요',
              'Size question', 'Is this true to size?', '교환 가능한가요?', '세탁 방법 문의',
              '실측 사이즈 알려주세요'])[1 + floor(pg_temp.rnd(g.n, 91) * 10)::int] AS title,
       (ARRAY['평소 M 사이즈 입는데 어떤 사이즈가 맞을까요?', '주문하면 언제쯤 받을 수 있을까요?',
              '품절된 사이즈 재입고 계획이 있는지 궁금합니다.', '사진보다 색이 밝은 편인가요?',
              'What is the fabric composition? Does it shrink after washing?',
              '선물용 포장이 가능한가요?', '키 170cm 65kg인데 L 사이즈 괜찮을까요?'])
           [1 + floor(pg_temp.rnd(g.n, 92) * 7)::int] AS content,
       pg_temp.rnd(g.n, 93) < 0.20 AS is_secret,
       pg_temp.rnd(g.n, 94) < 0.60 AS answered,
       p.created_at + (now() - p.created_at) * pg_temp.rnd(g.n, 95) AS created_at
FROM generate_series(1, 20000) AS g(n)
JOIN t_prod AS p ON p.n = 1 + floor(pg_temp.rnd(g.n, 96) * 20000)::int;

CREATE TEMP TABLE t_reply ON COMMIT DROP AS
SELECT n, id, seller_id,
       (ARRAY['안녕하세요, 고객님. 평소 사이즈로 주문하시면 됩니다. 감사합니다.',
              '주문 후 1~2일 이내 출고됩니다.', '다음 주 재입고 예정입니다. 조금만 기다려 주세요.',
              'Thanks for asking! It fits true to size.', '문의 감사합니다. 자세한 실측은 상세페이지를 참고해 주세요.'])
           [1 + floor(pg_temp.rnd(n, 97) * 5)::int] AS content,
       created_at + (now() - created_at) * 0.5 * pg_temp.rnd(n, 98) AS created_at
FROM t_inq
WHERE answered;

-- An inquiry's updated_at moves with its status change, i.e. when the reply was written.
INSERT INTO inquiries (id, user_id, product_id, title, content, status, is_secret, created_at, updated_at)
SELECT q.id, q.user_id, q.product_id, q.title, q.content,
       CASE WHEN q.answered THEN 'CompletedAnswer' ELSE 'WaitingAnswer' END,
       q.is_secret, q.created_at, coalesce(r.created_at, q.created_at)
FROM t_inq AS q LEFT JOIN t_reply AS r USING (n)
ORDER BY q.n;

INSERT INTO replies (id, inquiry_id, user_id, content, created_at, updated_at)
SELECT 'bench-reply-' || n, id, seller_id, content, created_at, created_at
FROM t_reply
ORDER BY n;

-- Refuse to commit a short load (e.g. if a distribution is edited so slots run out).
DO $$
BEGIN
    IF (SELECT count(*) FROM orders WHERE id LIKE 'bench-order-%') <> 100000
       OR (SELECT count(*) FROM products WHERE id LIKE 'bench-product-%') <> 20000
       OR (SELECT count(*) FROM users WHERE id LIKE 'bench-buyer-%') <> 5000 THEN
        RAISE EXCEPTION 'bench dataset: unexpected row counts';
    END IF;
END $$;

COMMIT;

-- Fresh statistics for the planner, visibility maps set (index-only scans, as autovacuum
-- would leave a live database), and the dirty pages written out now rather than during the
-- benchmark. The loaded tables are named so that a non-superuser owner gets no warnings about
-- shared catalogs. CHECKPOINT needs superuser or pg_checkpoint; skip it quietly otherwise.
VACUUM ANALYZE users, stores, products, stocks, orders, order_items, payments,
        point_transactions, reviews, inquiries, replies, product_counts;
SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
       OR pg_has_role('pg_checkpoint'::name, 'MEMBER') AS bench_can_checkpoint \gset
\if :bench_can_checkpoint
CHECKPOINT;
\endif
