-- Checks that a database loaded by deploy/bench/dataset.sql obeys the business rules the
-- dataset promises (sales, review aggregates, totals, grades, ledger, snapshots, ...): the row
-- counts, then one line per rule with its number of violations, each of which must be 0.
--   psql postgres://codiit:codiit@127.0.0.1:25450/codiit_bench -f deploy/bench/verify-dataset.sql
\pset footer off
SELECT 'users' t, count(*) FROM users UNION ALL SELECT 'sellers', count(*) FROM users WHERE type='SELLER'
UNION ALL SELECT 'stores', count(*) FROM stores UNION ALL SELECT 'products', count(*) FROM products
UNION ALL SELECT 'stocks', count(*) FROM stocks UNION ALL SELECT 'orders', count(*) FROM orders
UNION ALL SELECT 'orders cancelled', count(*) FROM orders WHERE status='Cancelled'
UNION ALL SELECT 'order_items', count(*) FROM order_items UNION ALL SELECT 'payments', count(*) FROM payments
UNION ALL SELECT 'point_transactions', count(*) FROM point_transactions UNION ALL SELECT 'reviews', count(*) FROM reviews
UNION ALL SELECT 'inquiries', count(*) FROM inquiries UNION ALL SELECT 'replies', count(*) FROM replies
UNION ALL SELECT 'carts', count(*) FROM carts UNION ALL SELECT 'notifications', count(*) FROM notifications;

-- each line: violation count, must be 0
SELECT 'sales mismatch' chk, count(*) FROM products p LEFT JOIN (
  SELECT oi.product_id, sum(oi.quantity) s FROM order_items oi JOIN orders o ON o.id=oi.order_id
  WHERE o.status IN ('CompletedPayment','Shipped') GROUP BY 1) x ON x.product_id=p.id
  WHERE p.sales <> coalesce(x.s,0)
UNION ALL SELECT 'review agg mismatch', count(*) FROM products p LEFT JOIN (
  SELECT product_id, count(*) c, sum(rating) s, count(*) FILTER (WHERE rating=1) r1, count(*) FILTER (WHERE rating=2) r2,
   count(*) FILTER (WHERE rating=3) r3, count(*) FILTER (WHERE rating=4) r4, count(*) FILTER (WHERE rating=5) r5
  FROM reviews GROUP BY 1) r ON r.product_id=p.id
  WHERE (p.reviews_count, p.reviews_sum, p.rate1_count, p.rate2_count, p.rate3_count, p.rate4_count, p.rate5_count)
   IS DISTINCT FROM (coalesce(r.c,0), coalesce(r.s,0), coalesce(r.r1,0), coalesce(r.r2,0), coalesce(r.r3,0), coalesce(r.r4,0), coalesce(r.r5,0))
UNION ALL SELECT 'rating_x10 formula', count(*) FROM products WHERE reviews_count>0 AND reviews_rating_x10 <> floor((20*reviews_sum+reviews_count)/(2.0*reviews_count))
UNION ALL SELECT 'is_reviewed mismatch', count(*) FROM order_items oi LEFT JOIN reviews r ON r.order_item_id=oi.id WHERE oi.is_reviewed <> (r.id IS NOT NULL)
UNION ALL SELECT 'review on cancelled/wrong buyer/product/time', count(*) FROM reviews r JOIN order_items oi ON oi.id=r.order_item_id JOIN orders o ON o.id=oi.order_id
  WHERE o.status='Cancelled' OR r.user_id IS DISTINCT FROM o.buyer_id OR r.product_id IS DISTINCT FROM oi.product_id OR r.created_at < o.created_at OR r.created_at > now()
UNION ALL SELECT 'order totals', count(*) FROM orders o JOIN (SELECT order_id, sum(price*quantity) s, sum(quantity) q, count(*) c, max(position) mp FROM order_items GROUP BY 1) x ON x.order_id=o.id
  WHERE o.subtotal<>x.s OR o.total_quantity<>x.q OR x.mp <> x.c-1 OR x.c NOT BETWEEN 1 AND 3
UNION ALL SELECT 'orders without items', count(*) FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_items WHERE order_id=o.id)
UNION ALL SELECT 'payment mismatch', count(*) FROM orders o JOIN payments p ON p.order_id=o.id
  WHERE p.price <> o.subtotal-o.use_point OR p.status <> CASE o.status WHEN 'Cancelled' THEN 'CancelledPayment' ELSE 'CompletedPayment' END
UNION ALL SELECT 'item snapshot/time/size', count(*) FROM order_items oi JOIN orders o ON o.id=oi.order_id JOIN products p ON p.id=oi.product_id
  WHERE oi.store_id<>p.store_id OR oi.product_name<>p.name OR oi.product_image<>p.image OR o.created_at < p.created_at
   OR NOT EXISTS (SELECT 1 FROM stocks s WHERE s.product_id=p.id AND s.size_id=oi.size_id)
   OR oi.created_at<>o.created_at
UNION ALL SELECT 'item price rule', count(*) FROM order_items oi JOIN orders o ON o.id=oi.order_id JOIN products p ON p.id=oi.product_id
  WHERE oi.price <> CASE WHEN p.discount_rate>0 AND (p.discount_start_time IS NULL OR o.created_at>=p.discount_start_time) AND (p.discount_end_time IS NULL OR o.created_at<=p.discount_end_time)
     THEN floor(p.price::float8*(1.0::float8 - p.discount_rate::float8/100.0::float8))::bigint ELSE p.price END
UNION ALL SELECT 'cumulative/grade mismatch', count(*) FROM users u LEFT JOIN (SELECT buyer_id, sum(subtotal) s FROM orders WHERE status IN ('CompletedPayment','Shipped') GROUP BY 1) x ON x.buyer_id=u.id
  WHERE u.cumulative_amount <> coalesce(x.s,0) OR u.grade_id <> (SELECT id FROM grades WHERE min_amount <= u.cumulative_amount ORDER BY min_amount DESC LIMIT 1)
UNION ALL SELECT 'points <> ledger sum', count(*) FROM users u LEFT JOIN (SELECT user_id, sum(delta) s FROM point_transactions GROUP BY 1) x ON x.user_id=u.id WHERE u.points <> coalesce(x.s,0)
UNION ALL SELECT 'ledger rows vs orders', count(*) FROM orders o
  WHERE (o.use_point>0) <> EXISTS (SELECT 1 FROM point_transactions t WHERE t.order_id=o.id AND t.reason='SPEND_ORDER' AND t.delta=-o.use_point)
     OR (o.earned_point>0) <> EXISTS (SELECT 1 FROM point_transactions t WHERE t.order_id=o.id AND t.reason='EARN_PURCHASE' AND t.delta=o.earned_point)
     OR (o.use_point>0 AND o.status='Cancelled') <> EXISTS (SELECT 1 FROM point_transactions t WHERE t.order_id=o.id AND t.reason='REFUND_CANCEL' AND t.delta=o.use_point)
     OR (o.earned_point>0 AND o.status='Cancelled') <> EXISTS (SELECT 1 FROM point_transactions t WHERE t.order_id=o.id AND t.reason='REVERT_CANCEL' AND t.delta=-o.earned_point)
     OR EXISTS (SELECT 1 FROM point_transactions t WHERE t.order_id=o.id AND t.user_id IS DISTINCT FROM o.buyer_id)
UNION ALL SELECT 'earned rule (pre-order grade)', count(*) FROM (
  SELECT y.*, (SELECT rate FROM grades WHERE min_amount <= y.cum ORDER BY min_amount DESC LIMIT 1) r FROM (
  SELECT o.*, coalesce(sum(CASE WHEN status<>'Cancelled' THEN subtotal ELSE 0 END) OVER w,0) cum
  FROM orders o WINDOW w AS (PARTITION BY buyer_id ORDER BY created_at, id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)) y) z
  WHERE earned_point <> (subtotal-use_point)*r/100
UNION ALL SELECT 'negative running balance', count(*) FROM (
  SELECT sum(delta) OVER (PARTITION BY user_id ORDER BY created_at, CASE reason WHEN 'SPEND_ORDER' THEN 0 WHEN 'EARN_PURCHASE' THEN 1 WHEN 'REFUND_CANCEL' THEN 2 ELSE 3 END, id) bal
  FROM point_transactions) z WHERE bal < 0
UNION ALL SELECT 'buyer created after order', count(*) FROM orders o JOIN users u ON u.id=o.buyer_id WHERE u.created_at > o.created_at
UNION ALL SELECT 'timestamps in future', (SELECT count(*) FROM orders WHERE created_at>now() OR updated_at>now()) + (SELECT count(*) FROM products WHERE created_at>now()) + (SELECT count(*) FROM inquiries WHERE updated_at>now()) + (SELECT count(*) FROM replies WHERE created_at>now())
UNION ALL SELECT 'inquiry status vs reply', count(*) FROM inquiries i LEFT JOIN replies r ON r.inquiry_id=i.id WHERE (i.status='CompletedAnswer') <> (r.id IS NOT NULL)
UNION ALL SELECT 'reply author not product seller / before inquiry', count(*) FROM replies r JOIN inquiries i ON i.id=r.inquiry_id JOIN products p ON p.id=i.product_id JOIN stores s ON s.id=p.store_id WHERE r.user_id<>s.user_id OR r.created_at < i.created_at OR i.created_at < p.created_at
UNION ALL SELECT 'stock sizes wrong', count(*) FROM products p WHERE (SELECT array_agg(size_id ORDER BY size_id) FROM stocks WHERE product_id=p.id) <> CASE WHEN p.category_id='cat_acc' THEN ARRAY[6] ELSE ARRAY[1,2,3,4,5] END
UNION ALL SELECT 'product-1 M not 1e6', count(*) FROM stocks WHERE id='bench-stock-1-3' AND quantity<>1000000
UNION ALL SELECT 'store name has shirt/linen', count(*) FROM stores WHERE name ILIKE '%shirt%' OR name ILIKE '%linen%'
UNION ALL SELECT 'product id/store convention', count(*) FROM products WHERE store_id <> 'bench-store-' || (((substr(id,15)::int)-1)%200+1)
UNION ALL SELECT 'dup created_at products', count(*) - count(DISTINCT created_at) FROM products;

SELECT round(100.0*count(*) FILTER (WHERE name ILIKE '%shirt%')/count(*),2) pct_shirt,
       round(100.0*count(*) FILTER (WHERE name ILIKE '%linen%')/count(*),2) pct_linen,
       round(100.0*count(*) FILTER (WHERE discount_rate>0 AND discount_end_time>now())/count(*),2) pct_disc_active,
       round(100.0*count(*) FILTER (WHERE discount_rate>0 AND discount_end_time<now())/count(*),2) pct_disc_expired,
       min(price), percentile_disc(0.5) WITHIN GROUP (ORDER BY price) median_price, round(avg(price)) avg_price, max(price),
       count(*) FILTER (WHERE price%100<>0) not_100
FROM products;
SELECT round(100.0*count(*) FILTER (WHERE quantity=0)/count(*),2) pct_zero_stock, min(quantity) FILTER (WHERE quantity>0), max(quantity) FILTER (WHERE id<>'bench-stock-1-3') FROM stocks;
SELECT min(sales), max(sales), round(avg(sales),1) avg_sales, count(*) FILTER (WHERE sales=0) zero_sales,
       min(reviews_count), max(reviews_count), count(*) FILTER (WHERE reviews_count=0) no_reviews FROM products;
SELECT rating, count(*) FROM reviews GROUP BY 1 ORDER BY 1;
SELECT min(char_length(content)), max(char_length(content)), round(avg(char_length(content))) FROM reviews;
SELECT grade_id, count(*), min(cumulative_amount), max(cumulative_amount) FROM users WHERE type='BUYER' GROUP BY 1 ORDER BY min(cumulative_amount);
SELECT min(points), percentile_disc(0.5) WITHIN GROUP (ORDER BY points) med, max(points), count(*) FILTER (WHERE points=0) zero FROM users WHERE type='BUYER';
SELECT min(c), percentile_disc(0.5) WITHIN GROUP (ORDER BY c) med, max(c) FROM (SELECT buyer_id, count(*) c FROM orders GROUP BY 1) z;
SELECT count(*) FILTER (WHERE use_point>0) orders_using_points, max(use_point), round(avg(subtotal)) avg_subtotal, max(subtotal),
       min(created_at) oldest, max(created_at) newest,
       count(*) FILTER (WHERE created_at > now() - interval '1 day') last_day FROM orders;
SELECT round(100.0*count(*) FILTER (WHERE is_secret)/count(*),1) pct_secret, round(100.0*count(*) FILTER (WHERE status='CompletedAnswer')/count(*),1) pct_answered FROM inquiries;
SELECT id, name FROM products ORDER BY created_at DESC LIMIT 5;
SELECT name FROM stores ORDER BY random() LIMIT 5;
SELECT substr(password_hash,1,7) prefix, count(DISTINCT password_hash) FROM users GROUP BY 1;
SELECT (SELECT password_hash FROM users WHERE id='bench-buyer-1') = crypt('BenchPass1!', (SELECT password_hash FROM users WHERE id='bench-buyer-1')) AS password_ok;
