//! E18 (spec §5): every filter and sort, one by one and combined, on a dataset built here.

use api_tests::{Session, TestApp, spawn_app};
use serde_json::{Value, json};

struct Catalogue {
    app: TestApp,
    ids: Vec<String>,
    store_a: String,
    store_b: String,
}

async fn store(app: &TestApp, name: &str) -> (Session, String) {
    let seller = app.seller().await;
    let mut body = api_tests::store_body(name);
    body["name"] = json!(name);
    let r = app
        .post("/api/stores")
        .as_user(&seller)
        .json(&body)
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (seller, r.body["id"].as_str().unwrap().to_owned())
}

/// p1..p7 as the assertions below describe them; p1 is the oldest.
async fn catalogue() -> Catalogue {
    let app = spawn_app().await;
    let (a, store_a) = store(&app, "Alpha Shop").await;
    let (b, store_b) = store(&app, "베타 50%_샵").await;
    let specs = [
        (
            &a,
            "린넨 셔츠",
            19000,
            "top",
            json!([{ "sizeId": 3, "quantity": 4 }]),
        ),
        (
            &a,
            "데님 팬츠",
            45000,
            "bottom",
            json!([{ "sizeId": 4, "quantity": 1 }, { "sizeId": 5, "quantity": 2 }]),
        ),
        (
            &a,
            "플라워 원피스",
            89000,
            "dress",
            json!([{ "sizeId": 6, "quantity": 0 }]),
        ),
        (
            &b,
            "울 코트",
            250000,
            "outer",
            json!([{ "sizeId": 3, "quantity": 1 }, { "sizeId": 4, "quantity": 1 }]),
        ),
        (
            &b,
            "니트 스커트",
            20000,
            "skirt",
            json!([{ "sizeId": 2, "quantity": 7 }]),
        ),
        (
            &b,
            "러닝화",
            50000,
            "shoes",
            json!([{ "sizeId": 6, "quantity": 9 }]),
        ),
        (
            &a,
            "100% cotton_tee",
            9900,
            "top",
            json!([{ "sizeId": 1, "quantity": 3 }]),
        ),
    ];
    let mut ids = Vec::new();
    for (seller, name, price, category, stocks) in specs {
        let body =
            json!({ "name": name, "price": price, "categoryName": category, "stocks": stocks });
        ids.push(
            app.create_product(seller, &body).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // (sales, reviews_count, reviews_sum, [rate1..rate5]) per product.
    let stats: [(i64, i32, i64, [i32; 5]); 7] = [
        (5, 2, 9, [0, 0, 0, 1, 1]),
        (10, 5, 23, [0, 0, 1, 0, 4]),
        (1, 1, 5, [0, 0, 0, 0, 1]),
        (10, 2, 9, [0, 0, 0, 1, 1]),
        (0, 0, 0, [0, 0, 0, 0, 0]),
        (3, 3, 12, [0, 0, 0, 3, 0]),
        (0, 0, 0, [0, 0, 0, 0, 0]),
    ];
    for (i, (id, (sales, count, sum, r))) in ids.iter().zip(stats).enumerate() {
        let hours_ago = 6 - i as i32;
        app.db
            .execute(
                "UPDATE products SET sales = $2, reviews_count = $3, reviews_sum = $4, rate1_count = $5,
                   rate2_count = $6, rate3_count = $7, rate4_count = $8, rate5_count = $9,
                   created_at = now() - make_interval(hours => $10) WHERE id = $1",
                &[id, &sales, &count, &sum, &r[0], &r[1], &r[2], &r[3], &r[4], &hours_ago],
            )
            .await
            .unwrap();
    }
    Catalogue {
        app,
        ids,
        store_a,
        store_b,
    }
}

impl Catalogue {
    /// The product numbers (1-based) a query returns, and its totalCount.
    async fn query(&self, query: &str) -> (Vec<usize>, i64) {
        let r = self.app.get(&format!("/api/products?{query}")).send().await;
        assert_eq!(r.status, 200, "{query}: {}", r.text);
        let numbers = r.body["list"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                1 + self
                    .ids
                    .iter()
                    .position(|id| p["id"] == json!(id))
                    .expect("a known product")
            })
            .collect();
        (numbers, r.body["totalCount"].as_i64().unwrap())
    }

    async fn numbers(&self, query: &str) -> Vec<usize> {
        let (numbers, total) = self.query(query).await;
        assert_eq!(
            total as usize,
            numbers.len(),
            "{query}: totalCount counts every match"
        );
        numbers
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_sort_orders_as_specified() {
    let c = catalogue().await;
    assert_eq!(c.numbers("").await, [7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(c.numbers("sort=recent").await, [7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(c.numbers("sort=bogus").await, [7, 6, 5, 4, 3, 2, 1]);
    assert_eq!(c.numbers("sort=lowPrice").await, [7, 1, 5, 2, 6, 3, 4]);
    assert_eq!(c.numbers("sort=highPrice").await, [4, 3, 6, 2, 5, 1, 7]);
    assert_eq!(c.numbers("sort=mostReviewed").await, [2, 6, 4, 1, 3, 7, 5]);
    assert_eq!(c.numbers("sort=highRating").await, [3, 2, 4, 1, 6, 7, 5]);
    assert_eq!(c.numbers("sort=salesRanking").await, [4, 2, 1, 6, 3, 7, 5]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ties_break_on_id_descending() {
    let c = catalogue().await;
    c.app
        .db
        .execute(
            "UPDATE products SET created_at = '2025-01-01T00:00:00Z'",
            &[],
        )
        .await
        .unwrap();
    let mut sorted: Vec<usize> = (1..=7).collect();
    sorted.sort_by(|a, b| c.ids[b - 1].cmp(&c.ids[a - 1]));
    assert_eq!(c.numbers("sort=recent").await, sorted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_items_have_the_contract_shape() {
    let c = catalogue().await;
    let r = c
        .app
        .get("/api/products?sort=highRating&pageSize=1")
        .send()
        .await;
    let item = &r.body["list"][0];
    let mut keys: Vec<&String> = item.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "createdAt",
            "discountEndTime",
            "discountPrice",
            "discountRate",
            "discountStartTime",
            "id",
            "image",
            "isSoldOut",
            "name",
            "price",
            "reviewsCount",
            "reviewsRating",
            "sales",
            "storeId",
            "storeName",
            "updatedAt"
        ]
    );
    assert_eq!(item["reviewsRating"], 5.0);
    assert_eq!(item["isSoldOut"], true, "sold-out products are listed");
    assert_eq!(item["storeName"], "Alpha Shop");
    let second = c
        .app
        .get("/api/products?sort=highRating&pageSize=1&page=2")
        .send()
        .await;
    assert_eq!(second.body["list"][0]["reviewsRating"], 4.6);
    assert_eq!(second.body["totalCount"], 7);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_matches_product_and_store_names_literally() {
    let c = catalogue().await;
    assert_eq!(c.numbers("search=셔츠").await, [1]);
    assert_eq!(c.numbers("search=%20%20ALPHA%20").await, [7, 3, 2, 1]);
    assert_eq!(
        c.numbers("search=_").await,
        [7, 6, 5, 4],
        "`_` is not a wildcard"
    );
    assert_eq!(
        c.numbers("search=%25_").await,
        [6, 5, 4],
        "`%` is not a wildcard"
    );
    assert_eq!(c.numbers("search=COTTON").await, [7]);
    assert_eq!(c.numbers("search=없는상품").await, Vec::<usize>::new());
}

/// A search is sorted and paged like the unfiltered list, whichever sort is asked for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_sorts_and_pages_its_matches_like_the_list() {
    let c = catalogue().await;
    let alpha_shop = [1, 2, 3, 7];
    for sort in [
        "recent",
        "lowPrice",
        "highPrice",
        "mostReviewed",
        "highRating",
        "salesRanking",
    ] {
        let expected: Vec<usize> = c
            .numbers(&format!("sort={sort}"))
            .await
            .into_iter()
            .filter(|n| alpha_shop.contains(n))
            .collect();
        assert_eq!(
            c.numbers(&format!("sort={sort}&search=alpha")).await,
            expected,
            "{sort}"
        );
        let (second_page, total) = c
            .query(&format!("sort={sort}&search=alpha&page=2&pageSize=3"))
            .await;
        assert_eq!(
            (second_page.as_slice(), total),
            (&expected[3..], 4),
            "{sort}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn category_price_size_and_store_filters() {
    let c = catalogue().await;
    assert_eq!(c.numbers("categoryName=TOP").await, [7, 1]);
    assert_eq!(c.numbers("categoryName=hats").await, Vec::<usize>::new());
    assert_eq!(
        c.numbers("priceMin=20000&priceMax=50000").await,
        [6, 5, 2],
        "bounds are inclusive"
    );
    assert_eq!(c.numbers("priceMin=0").await.len(), 7);
    assert_eq!(c.numbers("priceMax=0").await.len(), 7);
    assert_eq!(c.numbers("priceMin=200000").await, [4]);
    assert_eq!(
        c.numbers("priceMin=60000&priceMax=50000").await,
        Vec::<usize>::new()
    );
    assert_eq!(
        c.numbers("size=Free").await,
        [6, 3],
        "any quantity, case-insensitive"
    );
    assert_eq!(c.numbers("size=m").await, [4, 1]);
    assert_eq!(c.numbers("size=XXL").await, Vec::<usize>::new());
    assert_eq!(
        c.numbers(&format!("favoriteStore={}", c.store_b)).await,
        [6, 5, 4]
    );
    assert_eq!(
        c.numbers("favoriteStore=unknown-store").await,
        Vec::<usize>::new()
    );
    let combined = format!(
        "favoriteStore={}&size=M&priceMax=20000&sort=lowPrice",
        c.store_a
    );
    assert_eq!(c.numbers(&combined).await, [1]);
    assert_eq!(
        c.numbers("categoryName=top&search=셔츠&priceMin=10000")
            .await,
        [1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paging_counts_all_matches() {
    let c = catalogue().await;
    assert_eq!(c.query("pageSize=2&page=2").await, (vec![5, 4], 7));
    assert_eq!(c.query("pageSize=2&page=4").await, (vec![1], 7));
    assert_eq!(c.query("page=10").await, (vec![], 7));
    assert_eq!(c.query("pageSize=500").await.0.len(), 7);
    assert_eq!(
        c.query("categoryName=top&pageSize=1&page=2").await,
        (vec![1], 2)
    );
    // What the web client sends for its main list, empty filters included.
    let web =
        "page=1&pageSize=16&sort=highRating&search=&priceMin=0&size=&favoriteStore=&categoryName=";
    assert_eq!(c.numbers(web).await, [3, 2, 4, 1, 6, 7, 5]);
    assert_eq!(
        c.query("page=1&pageSize=4&sort=salesRanking").await,
        (vec![4, 2, 1, 6], 7)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_numbers_are_400() {
    let c = catalogue().await;
    for (query, field) in [
        ("page=0", "page:"),
        ("page=abc", "page:"),
        ("pageSize=-1", "pageSize:"),
        ("priceMin=-5", "priceMin:"),
        ("priceMax=1.5", "priceMax:"),
    ] {
        let r = c.app.get(&format!("/api/products?{query}")).send().await;
        assert!(
            r.error_message(400).starts_with(field),
            "{query}: {}",
            r.text
        );
    }
    let absurd = c
        .app
        .get("/api/products?page=999999999999999999")
        .send()
        .await;
    assert_eq!(absurd.status, 200);
    assert_eq!(absurd.body["list"], Value::Array(vec![]));
    // Also where the page branches on a price band's width, which it weighs against the offset.
    let absurd = c
        .app
        .get("/api/products?page=999999999999999999&priceMin=1")
        .send()
        .await;
    assert_eq!(absurd.status, 200, "{}", absurd.text);
    assert_eq!(absurd.body["list"], Value::Array(vec![]));
    assert_eq!(absurd.body["totalCount"], 7);
}

/// Sellers `seller<n>` with stores `store<n>` ('Store <n>'), for n from `first` to `last`.
fn stores_sql(first: u32, last: u32) -> String {
    format!(
        "INSERT INTO users (id, name, email, password_hash, type, image)
           SELECT 'seller' || g, 's', 's' || g || '@x.test', 'x', 'SELLER', 'http://x/u.png'
           FROM generate_series({first}, {last}) g;
         INSERT INTO stores (id, user_id, name, address, phone_number, content, image)
           SELECT 'store' || g, 'seller' || g, 'Store ' || g, 'a', '010-1234-5678', 'c', 'http://x/s.png'
           FROM generate_series({first}, {last}) g;"
    )
}

/// 10,000 products over 50 stores, generated with SQL.
async fn large_catalogue(app: &TestApp) {
    app.db
        .batch_execute(&format!(
            "{}
             INSERT INTO products (id, store_id, category_id, name, image, price, sales, created_at)
               SELECT 'p' || g, 'store' || (g % 50 + 1),
                      (ARRAY['cat_top','cat_bottom','cat_dress','cat_outer','cat_skirt','cat_shoes','cat_acc'])[g % 7 + 1],
                      'Product ' || g, 'http://x/p.png', (g * 997) % 300000, g % 100,
                      now() - make_interval(mins => g)
               FROM generate_series(1, 10000) g;
             INSERT INTO stocks (product_id, size_id, quantity)
               SELECT 'p' || g, s, (g + s) % 20 FROM generate_series(1, 10000) g, generate_series(1, 3) s;
             ANALYZE;",
            stores_sql(1, 50)
        ))
        .await
        .unwrap();
}

/// The large catalogue, in which 30 of the 10,000 products are linen ('Linen Shirt p<n>'); the
/// rest are named 'Product <n>'. VACUUM merges the trigram index's pending entries, as autovacuum
/// would after such a batch.
async fn linen_catalogue() -> TestApp {
    let app = spawn_app().await;
    large_catalogue(&app).await;
    app.db
        .batch_execute(
            "UPDATE products SET name = 'Linen Shirt ' || id WHERE id IN (SELECT 'p' || g FROM generate_series(1, 300, 10) g)",
        )
        .await
        .unwrap();
    app.db
        .batch_execute("VACUUM ANALYZE products")
        .await
        .unwrap();
    app
}

/// The plan of the exact SQL the server runs for `search`.
async fn plan(app: &TestApp, search: &catalog::query::ProductSearch) -> (String, String) {
    let (page_sql, count_sql, _) = adapter_postgres::search_sql(search);
    let category = search.category_name.clone();
    // The page size is in the text; only a later page binds its offset.
    let offset = search.page.offset();
    let explain = |sql: String, is_page: bool| {
        let category = category.clone();
        async move {
            let mut params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = Vec::new();
            if let Some(c) = &category {
                params.push(c);
            }
            if is_page && offset > 0 {
                params.push(&offset);
            }
            app.column_with(&format!("EXPLAIN {sql}"), &params)
                .await
                .join("\n")
        }
    };
    (
        explain(page_sql, true).await,
        explain(count_sql, false).await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_sort_and_the_category_filter_use_indexes() {
    let app = spawn_app().await;
    large_catalogue(&app).await;
    let search = |category: Option<&str>| catalog::query::ProductSearch {
        page: kernel::paging::PageRequest::new(1, 16),
        sort: catalog::ProductSort::Recent,
        search: None,
        category_name: category.map(str::to_owned),
        price_min: None,
        price_max: None,
        size_id: None,
        store_id: None,
    };
    let (recent, recent_count) = plan(&app, &search(None)).await;
    println!("default sort, page:\n{recent}\ncount:\n{recent_count}\n");
    assert!(
        recent.contains("Index Scan using products_created_idx"),
        "{recent}"
    );
    assert!(!recent.contains("Seq Scan on products"), "{recent}");

    let (category, category_count) = plan(&app, &search(Some("top"))).await;
    println!("category filter, page:\n{category}\ncount:\n{category_count}\n");
    // Either index answers a category page without reading the table in full: the category
    // index directly, or the date index stopping after 16 matches.
    assert!(
        category.contains("Index Scan using products_"),
        "{category}"
    );
    assert!(!category.contains("Seq Scan on products"), "{category}");
    // Without a filter, or with only a category, the count reads the trigger-kept counters.
    for count in [&recent_count, &category_count] {
        assert!(count.contains("product_counts"), "{count}");
        assert!(!count.contains("on products"), "{count}");
    }
    for plan in [&recent, &category] {
        assert!(
            !plan.contains("Seq Scan on stocks"),
            "sold-out flags only for the page: {plan}"
        );
    }

    // And the answers are right on the large set.
    let r = app
        .get("/api/products?categoryName=top&pageSize=5")
        .send()
        .await;
    assert_eq!(r.body["totalCount"], 1428);
    assert_eq!(r.body["list"][0]["id"], "p7");
}

/// Every sort, with the list's order over the products table.
const SORTS: [(&str, &str); 6] = [
    ("recent", "created_at DESC, id DESC"),
    ("lowPrice", "price ASC, created_at DESC, id DESC"),
    ("highPrice", "price DESC, created_at DESC, id DESC"),
    (
        "mostReviewed",
        "reviews_count DESC, created_at DESC, id DESC",
    ),
    (
        "highRating",
        "reviews_rating_x10 DESC, reviews_count DESC, created_at DESC, id DESC",
    ),
    ("salesRanking", "sales DESC, created_at DESC, id DESC"),
];

/// A list page's product ids and total count.
async fn page_of(app: &TestApp, url: &str) -> (Vec<String>, i64) {
    let r = app.get(url).send().await;
    assert_eq!(r.status, 200, "{url}: {}", r.text);
    let ids = r.body["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, r.body["totalCount"].as_i64().unwrap())
}

/// A price band's page, alone, runs one of two branches, chosen by the band's width as it runs
/// (see `adapter_postgres::search_sql`); with a category or a store it is planned per run. At
/// every width and sort, in all three cases, on a first page, a later one and one past the end,
/// it is the list's own order cut to the band, with the band's count (the branch that ran is
/// checked below, on a first page of the newest).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_price_band_pages_like_the_list_at_every_width() {
    let app = spawn_app().await;
    large_catalogue(&app).await;
    // About 33, 1,000 and all 10,000 of the products.
    let bands = [(20_000, 21_000), (20_000, 50_000), (0, 300_000)];
    for (sort, order) in SORTS {
        for (low, high) in bands {
            // No other filter, a category, a store.
            for (query, sql) in [
                ("", ""),
                ("&categoryName=top", " AND category_id = 'cat_top'"),
                ("&favoriteStore=store7", " AND store_id = 'store7'"),
            ] {
                let matches = format!("FROM products WHERE price BETWEEN {low} AND {high}{sql}");
                let total: i64 = app.scalar(&format!("SELECT count(*) {matches}"), &[]).await;
                // A first page, a later one, and one past the end (counted on its own).
                for page in [1, 4, 700] {
                    let expected = app
                        .column(&format!(
                            "SELECT id {matches} ORDER BY {order} LIMIT 16 OFFSET {}",
                            (page - 1) * 16
                        ))
                        .await;
                    let url = format!(
                        "/api/products?sort={sort}&priceMin={low}&priceMax={high}&page={page}\
                         &pageSize=16{query}"
                    );
                    assert_eq!(page_of(&app, &url).await, (expected, total), "{url}");
                }
            }
        }
    }

    // On the one generic plan the server keeps, only the branch the band's width calls for runs:
    // the date index for a wide band, the price index for a narrow one.
    let search = first_recent_page(None, Some((0, 0)));
    prepare_generic(&app, "band_page", &search).await;
    for (low, high, wide) in [(0, 300_000, true), (20_000, 21_000, false)] {
        gated_run(&app, &format!("band_page({low}, {high})"), wide).await;
    }
}

/// A text search's page, like a price band's, runs one of two branches chosen by the number of
/// matches as it runs: for texts matching 30, 111, 200 (by store name), 1,111 and all 10,000
/// products, at every sort, alone, with a price band (both branching), or with a category or a
/// store (planned per run), on a first page, a later one and one past the end, it is the list's
/// own order cut to the matches, with their count (the branch that ran is checked below, on a
/// first page of the newest).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_search_pages_like_the_list_at_every_width() {
    let app = linen_catalogue().await;
    for (sort, order) in SORTS {
        for text in ["linen", "duct 77", "Store 7", "duct 1", "duct"] {
            for (query, sql) in [
                ("", ""),
                ("&categoryName=top", " AND p.category_id = 'cat_top'"),
                (
                    "&priceMin=20000&priceMax=50000",
                    " AND p.price BETWEEN 20000 AND 50000",
                ),
                ("&favoriteStore=store8", " AND p.store_id = 'store8'"),
            ] {
                let matches = format!(
                    "FROM products p JOIN stores s ON s.id = p.store_id \
                     WHERE (p.name ILIKE '%{text}%' OR s.name ILIKE '%{text}%'){sql}"
                );
                let total: i64 = app.scalar(&format!("SELECT count(*) {matches}"), &[]).await;
                for page in [1, 4, 700] {
                    let expected = app
                        .column(&format!(
                            "SELECT id FROM (SELECT p.* {matches}) m ORDER BY {order} \
                             LIMIT 16 OFFSET {}",
                            (page - 1) * 16
                        ))
                        .await;
                    let url = format!(
                        "/api/products?sort={sort}&search={}&page={page}&pageSize=16{query}",
                        text.replace(' ', "%20")
                    );
                    assert_eq!(page_of(&app, &url).await, (expected, total), "{url}");
                }
            }
        }
    }

    // On the one generic plan the server keeps, only the branch the number of matches calls
    // for runs: the date index for a text most products match, the trigram index for a rare one.
    let search = first_recent_page(Some("linen"), None);
    prepare_generic(&app, "text_page", &search).await;
    for (text, wide) in [("duct", true), ("linen", false)] {
        let plan = gated_run(&app, &format!("text_page('%{text}%')"), wide).await;
        // The count reads the trigram index, and so does a rare text's page.
        let trigram_reads = plan
            .lines()
            .filter(|l| l.contains("Bitmap Index Scan on products_name_trgm_idx"))
            .filter(|l| !l.contains("never executed"))
            .count();
        assert_eq!(trigram_reads, if wide { 1 } else { 2 }, "{plan}");
    }
}

/// The first page of 16, newest first, with a text and a price band.
fn first_recent_page(
    text: Option<&str>,
    band: Option<(i64, i64)>,
) -> catalog::query::ProductSearch {
    catalog::query::ProductSearch {
        page: kernel::paging::PageRequest::new(1, 16),
        sort: catalog::ProductSort::Recent,
        search: text.map(str::to_owned),
        category_name: None,
        price_min: band.map(|b| b.0),
        price_max: band.map(|b| b.1),
        size_id: None,
        store_id: None,
    }
}

/// Prepares the page SQL of `search` as `name` with a generic plan, as the server keeps it.
async fn prepare_generic(app: &TestApp, name: &str, search: &catalog::query::ProductSearch) {
    let (page_sql, _, _) = adapter_postgres::search_sql(search);
    app.db
        .batch_execute(&format!(
            "SET plan_cache_mode = force_generic_plan; PREPARE {name} AS {page_sql}"
        ))
        .await
        .unwrap();
}

/// Runs a prepared page that branches on its number of matches (`name(args)`) and returns its
/// plan, checked to have run only the branch that number calls for: the date index's walk when
/// `wide`, else the read of every match, with no sequential scan of the products.
async fn gated_run(app: &TestApp, execute: &str, wide: bool) -> String {
    let plan = app
        .column(&format!(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) EXECUTE {execute}"
        ))
        .await
        .join("\n");
    println!("{execute}:\n{plan}\n");
    assert!(!plan.contains("Seq Scan on products"), "{plan}");
    let walk = plan
        .lines()
        .find(|l| l.contains("Index Scan using products_created_idx"))
        .unwrap_or_else(|| panic!("no date-index branch: {plan}"));
    assert_eq!(!walk.contains("never executed"), wide, "{plan}");
    let skipped = plan
        .lines()
        .filter(|l| l.contains(" on products ") && l.contains("never executed"))
        .count();
    assert_eq!(skipped, 1, "exactly one branch is skipped: {plan}");
    plan
}

/// A text within a category is planned for its text (see the next test): with the products
/// spread over 2,000 stores, a generic plan guessed a handful of matches and read the whole
/// category by a bitmap and sorted it, even where most of it matched; planned for the text, the
/// page walks an index in order (no sort), and stays right.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_within_a_category_walks_an_index_in_order() {
    let app = linen_catalogue().await;
    app.db
        .batch_execute(&format!(
            "{}
             UPDATE products SET store_id = 'store' || (substr(id, 2)::int % 2000 + 1);
             ANALYZE;",
            stores_sql(51, 2000)
        ))
        .await
        .unwrap();
    let search = catalog::query::ProductSearch {
        category_name: Some("top".into()),
        ..first_recent_page(Some("duct"), None)
    };
    let (page_sql, _, _) = adapter_postgres::search_sql(&search);
    let (pattern, category) = ("%duct%".to_owned(), "top".to_owned());
    // An unnamed statement is planned for its values, as a per-run plan is.
    let plan = app
        .column_with(&format!("EXPLAIN {page_sql}"), &[&pattern, &category])
        .await
        .join("\n");
    assert!(!plan.contains("Sort"), "{plan}");
    assert!(plan.contains("Index Scan using products_"), "{plan}");
    let expected = app
        .column(
            "SELECT id FROM products WHERE category_id = 'cat_top' AND name ILIKE '%duct%'
             ORDER BY created_at DESC, id DESC LIMIT 16",
        )
        .await;
    let (ids, total) = page_of(
        &app,
        "/api/products?categoryName=top&search=duct&pageSize=16",
    )
    .await;
    assert_eq!((ids, total), (expected, 1424));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_reads_the_name_and_store_indexes_not_every_product() {
    let app = linen_catalogue().await;
    let search = catalog::query::ProductSearch {
        page: kernel::paging::PageRequest::new(1, 16),
        sort: catalog::ProductSort::Recent,
        search: Some("linen".into()),
        category_name: None,
        price_min: None,
        price_max: None,
        size_id: None,
        store_id: None,
    };
    let (_, count_sql, _) = adapter_postgres::search_sql(&search);
    let pattern = "%linen%".to_owned();
    let count = app
        .column_with(&format!("EXPLAIN {count_sql}"), &[&pattern])
        .await
        .join("\n");
    println!("search count:\n{count}");
    assert!(count.contains("products_name_trgm_idx"), "{count}");
    assert!(count.contains("products_store_created_idx"), "{count}");
    assert!(!count.contains("Seq Scan on products"), "{count}");

    // By product name: 'Product 77', 'Product 770'..'779' and 'Product 7700'..'7799'.
    let r = app
        .get("/api/products?search=duct%2077&pageSize=5")
        .send()
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["totalCount"], 111);
    // By store name ('Store 7', 'Store 70'..'Store 79'), counted like a join would count.
    let r = app
        .get("/api/products?search=Store%207&pageSize=5")
        .send()
        .await;
    let expected: i64 = app
        .db
        .query_one(
            "SELECT count(*) FROM products p JOIN stores s ON s.id = p.store_id
             WHERE p.name ILIKE '%Store 7%' OR s.name ILIKE '%Store 7%'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert!(expected > 0);
    assert_eq!(r.body["totalCount"], expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_kept_by_triggers_follow_inserts_recategorisation_and_cascades() {
    let app = spawn_app().await;
    large_catalogue(&app).await;
    let total = |path: &'static str| {
        let app = &app;
        async move { app.get(path).send().await.body["totalCount"].clone() }
    };
    assert_eq!(total("/api/products").await, 10000);
    assert_eq!(total("/api/products?categoryName=top").await, 1428);
    // A product changes category; a store (with its 200 products) goes away in a cascade.
    app.db
        .batch_execute(
            "UPDATE products SET category_id = 'cat_acc' WHERE id = 'p7';
             UPDATE products SET sales = sales + 1 WHERE id = 'p14';
             DELETE FROM users WHERE id = 'seller1';",
        )
        .await
        .unwrap();
    let live: Vec<(String, i64)> = app
        .db
        .query(
            "SELECT c.name, count(p.id) FROM categories c LEFT JOIN products p ON p.category_id = c.id GROUP BY c.name",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(live.iter().map(|(_, n)| n).sum::<i64>(), 9800);
    assert_eq!(total("/api/products").await, 9800);
    for (name, n) in live {
        let r = app
            .get(&format!("/api/products?categoryName={name}&pageSize=1"))
            .send()
            .await;
        assert_eq!(r.body["totalCount"], n, "category {name}");
    }
}

/// Every list statement stays prepared. A price band or a text the trigram index can search
/// keeps one generic plan, which branches on the number of matches as it runs; a text too short
/// for trigrams is planned for its own value on every run; equality filters settle on one
/// generic plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_statements_stay_prepared_with_the_plan_their_filters_need() {
    use catalog::Products;
    let app = spawn_app().await;
    large_catalogue(&app).await;
    let db = adapter_postgres::Database::connect(
        &app.database_url,
        &adapter_postgres::PoolSettings {
            max_size: 1,
            ..Default::default()
        },
    )
    .unwrap();
    let search =
        |price: Option<(i64, i64)>, category: Option<&str>| catalog::query::ProductSearch {
            page: kernel::paging::PageRequest::new(1, 16),
            sort: catalog::ProductSort::Recent,
            search: None,
            category_name: category.map(str::to_owned),
            price_min: price.map(|p| p.0),
            price_max: price.map(|p| p.1),
            size_id: None,
            store_id: None,
        };
    let expected_in_band: i64 = app
        .db
        .query_one(
            "SELECT count(*) FROM products WHERE price BETWEEN 1000 AND 200000",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let expected_short: i64 = app
        .scalar("SELECT count(*) FROM products WHERE name LIKE '%77%'", &[])
        .await;
    for _ in 0..8 {
        let (page, total) = db
            .search(&search(Some((0, 1_000_000)), None))
            .await
            .unwrap();
        assert_eq!((page.len(), total), (16, 10_000));
        let (page, total) = db
            .search(&search(Some((1000, 200_000)), None))
            .await
            .unwrap();
        assert_eq!((page.len(), total), (16, expected_in_band));
        let (page, _) = db.search(&search(None, Some("top"))).await.unwrap();
        assert_eq!(page.len(), 16);
        let text = catalog::query::ProductSearch {
            search: Some("duct 77".into()),
            ..search(None, None)
        };
        let (page, total) = db.search(&text).await.unwrap();
        assert_eq!((page.len(), total), (16, 111));
        let short = catalog::query::ProductSearch {
            search: Some("77".into()),
            ..search(None, None)
        };
        let (page, total) = db.search(&short).await.unwrap();
        assert_eq!((page.len(), total), (16, expected_short));
        let (page, total) = db
            .search(&search(Some((0, 1_000_000)), Some("top")))
            .await
            .unwrap();
        assert_eq!((page.len(), total), (16, 1428));
        let text_in_category = catalog::query::ProductSearch {
            search: Some("duct".into()),
            ..search(None, Some("top"))
        };
        let (page, total) = db.search(&text_in_category).await.unwrap();
        assert_eq!((page.len(), total), (16, 1428));
    }
    let planning = db.planning().await.unwrap();
    let prepared = &planning.statements;
    let runs = |needle: &str| {
        prepared
            .iter()
            .find(|s| s.statement.contains(needle))
            .map(|s| (s.generic_plans, s.custom_plans))
            .unwrap_or_else(|| panic!("no prepared statement with {needle}: {prepared:#?}"))
    };
    // A price band and a text search key to the trigram index each keep one generic plan,
    // which branches on the number of matches as it runs.
    assert_eq!(runs("p.price >= $1"), (16, 0), "{prepared:#?}");
    assert_eq!(runs(") IS TRUE OR p.store_id"), (8, 0), "{prepared:#?}");
    // A text too short for trigrams is planned for its text on every run.
    let short = prepared
        .iter()
        .filter(|s| s.statement.contains("p.name ILIKE $1") && !s.statement.contains("WITH"))
        .filter(|s| !s.statement.contains("categories"))
        .map(|s| (s.generic_plans, s.custom_plans))
        .collect::<Vec<_>>();
    assert_eq!(short, [(0, 8)], "{prepared:#?}");
    // So is a band within a category: a generic plan, guessing a handful of matches, would read
    // the whole category and sort it even where a walk of its index would read a page's worth.
    assert_eq!(
        runs("(SELECT id FROM categories WHERE name = $1) AND p.price >= $2"),
        (0, 8),
        "{prepared:#?}"
    );
    assert_eq!(
        runs(
            "store_id = ANY (ARRAY(SELECT id FROM stores WHERE name ILIKE $2))) AND p.category_id"
        ),
        (0, 8),
        "{prepared:#?}"
    );
    // A first page of equality filters settles on one generic plan after the five runs
    // PostgreSQL plans first (with `LIMIT $n` in the text it never would: it costs that as a
    // tenth of the table).
    assert_eq!(
        runs("FROM product_counts WHERE category_id"),
        (3, 5),
        "{prepared:#?}"
    );
    // The plan mode is reset after each run.
    assert_eq!(planning.plan_cache_mode, "auto");
}

/// Each request thread takes its connections from a lane of its own (a connection's protocol
/// task runs on the thread that opened it): a statement prepared on one lane's connection is
/// not on the other's.
#[tokio::test]
async fn each_lane_keeps_connections_of_its_own() {
    use catalog::Products;
    let app = spawn_app().await;
    let db = adapter_postgres::Database::connect(
        &app.database_url,
        &adapter_postgres::PoolSettings {
            max_size: 2,
            lanes: 2,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(db.pool_usage(), (0, 2));
    let recent = catalog::query::ProductSearch {
        page: kernel::paging::PageRequest::new(1, 16),
        sort: catalog::ProductSort::Recent,
        search: None,
        category_name: None,
        price_min: None,
        price_max: None,
        size_id: None,
        store_id: None,
    };
    let prepared_here = async || {
        db.planning()
            .await
            .unwrap()
            .statements
            .iter()
            .any(|s| s.statement.contains("ORDER BY p.created_at DESC"))
    };
    adapter_postgres::Database::enter_lane(1);
    db.search(&recent).await.unwrap();
    assert!(prepared_here().await);
    adapter_postgres::Database::enter_lane(0);
    assert!(!prepared_here().await);
    // Lanes are taken modulo their number: 3 is lane 1 again.
    adapter_postgres::Database::enter_lane(3);
    assert!(prepared_here().await);
}
