//! E22, E23, E39-E46: inquiries, masking, replies.

use api_tests::{Session, TestApp, keys, spawn_app};
use futures_util::future::join_all;
use serde_json::{Value, json};

struct Scene {
    app: TestApp,
    seller: Session,
    product: String,
    author: Session,
    stranger: Session,
    public_id: String,
    secret_id: String,
}

/// Runs `writes` while `seller` deletes `product`, which must succeed; the writes' statuses.
async fn while_deleting(
    app: &TestApp,
    seller: &Session,
    product: &str,
    writes: impl std::future::Future<Output = Vec<u16>>,
) -> Vec<u16> {
    let delete = app
        .delete(&format!("/api/products/{product}"))
        .as_user(seller)
        .send();
    let (statuses, deleted) = futures_util::join!(writes, delete);
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    statuses
}

/// E43's status for a short answer.
async fn reply(app: &TestApp, seller: &Session, inquiry: &str) -> u16 {
    app.post(&format!("/api/inquiries/{inquiry}/replies"))
        .as_user(seller)
        .json(&json!({ "content": "답변입니다" }))
        .send()
        .await
        .status
}

async fn scene() -> Scene {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("가디건").await;
    let author = app.buyer().await;
    let stranger = app.buyer().await;
    let public_id = app.ask(&author, &product, "사이즈 문의", false).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret_id = app.ask(&author, &product, "배송 문의", true).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Scene {
        app,
        seller,
        product,
        author,
        stranger,
        public_id,
        secret_id,
    }
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_creates_a_waiting_inquiry_and_notifies_the_seller() {
    let app = spawn_app().await;
    let (seller, product) = app.seller_with_product("니트").await;
    let buyer = app.buyer().await;
    let r = app
        .post(&format!("/api/products/{product}/inquiries"))
        .as_user(&buyer)
        .json(&json!({ "title": " 사이즈 ", "content": "M 사이즈 있나요?", "isSecret": "true" }))
        .send()
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "content",
            "createdAt",
            "id",
            "isSecret",
            "productId",
            "reply",
            "status",
            "title",
            "updatedAt",
            "userId"
        ]
    );
    assert_eq!(r.body["title"], "사이즈");
    assert_eq!(r.body["status"], "WaitingAnswer");
    assert_eq!(r.body["isSecret"], true);
    assert_eq!(r.body["reply"], Value::Null);
    let n1: (String, String) = {
        let row = app
            .db
            .query_one(
                "SELECT type, content FROM notifications WHERE user_id = $1",
                &[&seller.id],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!(
        n1,
        (
            "NEW_INQUIRY".to_owned(),
            "상품 \"니트\"에 새 문의가 도착했어요.".to_owned()
        )
    );

    // A seller may ask too, but is not notified about their own question.
    app.ask(&seller, &product, "내 질문", false).await;
    let count: i64 = app.scalar("SELECT count(*) FROM notifications", &[]).await;
    assert_eq!(count, 1);

    for (body, field) in [
        (json!({ "content": "c" }), "title:"),
        (json!({ "title": "x".repeat(51), "content": "c" }), "title:"),
        (json!({ "title": "t", "content": "" }), "content:"),
        (
            json!({ "title": "t", "content": "x".repeat(501) }),
            "content:",
        ),
        (
            json!({ "title": "t", "content": "c", "isSecret": "maybe" }),
            "isSecret:",
        ),
    ] {
        let r = app
            .post(&format!("/api/products/{product}/inquiries"))
            .as_user(&buyer)
            .json(&body)
            .send()
            .await;
        assert!(
            r.error_message(400).starts_with(field),
            "{body}: {}",
            r.text
        );
    }
    let missing = app
        .post("/api/products/nope/inquiries")
        .as_user(&buyer)
        .json(&json!({ "title": "t", "content": "c" }))
        .send()
        .await;
    assert_eq!(missing.error_message(404), "상품을 찾을 수 없습니다.");
    let anonymous = app
        .post(&format!("/api/products/{product}/inquiries"))
        .json(&json!({ "title": "t", "content": "c" }))
        .send()
        .await;
    assert_eq!(anonymous.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_inquiries_are_masked_for_strangers_in_lists() {
    let s = scene().await;
    let path = format!("/api/products/{}/inquiries", s.product);
    let anonymous = s.app.get(&path).bearer("garbage").send().await;
    assert_eq!(anonymous.status, 200);
    assert_eq!(anonymous.body["totalCount"], 2);
    let list = &anonymous.body["list"];
    assert_eq!(
        titles(list),
        ["비밀 문의", "사이즈 문의"],
        "newest first, secret masked"
    );
    assert_eq!(list[0]["content"], "비밀문의");
    assert_eq!(list[0]["userId"], json!(s.author.id), "userId stays");
    assert_eq!(list[0]["user"]["id"], json!(s.author.id));
    assert_eq!(keys(&list[0]).len(), 11);

    for viewer in [&s.author, &s.seller] {
        let r = s.app.get(&path).as_user(viewer).send().await;
        assert_eq!(titles(&r.body["list"]), ["배송 문의", "사이즈 문의"]);
    }
    let stranger = s.app.get(&path).as_user(&s.stranger).send().await;
    assert_eq!(titles(&stranger.body["list"])[0], "비밀 문의");

    // The product detail carries the same, masked per viewer.
    let detail = s
        .app
        .get(&format!("/api/products/{}", s.product))
        .send()
        .await;
    assert_eq!(
        titles(&detail.body["inquiries"]),
        ["비밀 문의", "사이즈 문의"]
    );
    let detail = s
        .app
        .get(&format!("/api/products/{}", s.product))
        .as_user(&s.seller)
        .send()
        .await;
    assert_eq!(
        titles(&detail.body["inquiries"]),
        ["배송 문의", "사이즈 문의"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn product_inquiry_lists_page_sort_and_filter() {
    let s = scene().await;
    let path = format!("/api/products/{}/inquiries", s.product);
    let paged = s.app.get(&format!("{path}?page=2&pageSize=1")).send().await;
    assert_eq!(paged.body["totalCount"], 2);
    assert_eq!(titles(&paged.body["list"]), ["사이즈 문의"]);
    let oldest = s
        .app
        .get(&format!("{path}?sort=oldest"))
        .as_user(&s.author)
        .send()
        .await;
    assert_eq!(titles(&oldest.body["list"]), ["사이즈 문의", "배송 문의"]);
    s.app
        .post(&format!("/api/inquiries/{}/replies", s.public_id))
        .as_user(&s.seller)
        .json(&json!({ "content": "있어요" }))
        .send()
        .await;
    let answered = s
        .app
        .get(&format!("{path}?status=completedanswer"))
        .send()
        .await;
    assert_eq!(titles(&answered.body["list"]), ["사이즈 문의"]);
    assert_eq!(answered.body["list"][0]["reply"]["content"], "있어요");
    assert_eq!(
        answered.body["list"][0]["reply"]["user"]["id"],
        json!(s.seller.id)
    );
    for bad in ["sort=popular", "status=Done", "page=0"] {
        let r = s.app.get(&format!("{path}?{bad}")).send().await;
        assert_eq!(r.status, 400, "{bad}");
    }
    assert_eq!(
        s.app
            .get("/api/products/nope/inquiries")
            .send()
            .await
            .status,
        404
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn my_inquiries_for_buyers_and_sellers() {
    let s = scene().await;
    let mine = s
        .app
        .get("/api/inquiries?pageSize=100")
        .as_user(&s.author)
        .send()
        .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
    assert_eq!(mine.body["totalCount"], 2);
    let item = &mine.body["list"][0];
    assert_eq!(
        keys(item),
        [
            "content",
            "createdAt",
            "id",
            "isSecret",
            "product",
            "status",
            "title",
            "updatedAt",
            "user"
        ]
    );
    assert_eq!(item["title"], "배송 문의", "never masked here");
    assert_eq!(item["product"]["name"], "가디건");
    assert!(item["product"]["store"]["id"].is_string());
    let seller = s.app.get("/api/inquiries").as_user(&s.seller).send().await;
    assert_eq!(seller.body["totalCount"], 2);
    assert_eq!(
        s.app
            .get("/api/inquiries")
            .as_user(&s.stranger)
            .send()
            .await
            .body["totalCount"],
        0
    );
    let storeless = s.app.seller().await;
    assert_eq!(
        s.app
            .get("/api/inquiries")
            .as_user(&storeless)
            .send()
            .await
            .body,
        json!({ "list": [], "totalCount": 0 })
    );
    let past = s
        .app
        .get("/api/inquiries?page=2&pageSize=100")
        .as_user(&s.author)
        .send()
        .await;
    assert_eq!(past.body["list"], json!([]));
    let waiting = s
        .app
        .get("/api/inquiries?status=WaitingAnswer")
        .as_user(&s.author)
        .send()
        .await;
    assert_eq!(waiting.body["totalCount"], 2);
    assert_eq!(
        s.app
            .get("/api/inquiries?status=x")
            .as_user(&s.author)
            .send()
            .await
            .status,
        400
    );
    assert_eq!(s.app.get("/api/inquiries").send().await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inquiry_detail_hides_secrets_from_strangers() {
    let s = scene().await;
    let secret = format!("/api/inquiries/{}", s.secret_id);
    for viewer in [&s.author, &s.seller] {
        let r = s.app.get(&secret).as_user(viewer).send().await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["title"], "배송 문의");
        assert_eq!(r.body["product"]["id"], json!(s.product));
        assert_eq!(r.body["user"]["id"], json!(s.author.id));
    }
    let r = s.app.get(&secret).as_user(&s.stranger).send().await;
    assert_eq!(
        r.error_message(403),
        "비밀 문의는 작성자와 판매자만 볼 수 있습니다."
    );
    let r = s
        .app
        .get(&format!("/api/inquiries/{}", s.public_id))
        .as_user(&s.stranger)
        .send()
        .await;
    assert_eq!(r.status, 200);
    let r = s
        .app
        .get("/api/inquiries/unknown")
        .as_user(&s.author)
        .send()
        .await;
    assert_eq!(r.error_message(404), "문의가 존재하지 않습니다.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_author_edits_and_only_before_an_answer() {
    let s = scene().await;
    let path = format!("/api/inquiries/{}", s.public_id);
    let empty = s
        .app
        .patch(&path)
        .as_user(&s.author)
        .json(&json!({}))
        .send()
        .await;
    assert_eq!(
        empty.error_message(400),
        "수정할 필드를 최소 1개 이상 입력해주세요."
    );
    let r = s
        .app
        .patch(&path)
        .as_user(&s.author)
        .json(&json!({ "title": "바뀐 제목", "isSecret": true }))
        .send()
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["title"], "바뀐 제목");
    assert_eq!(r.body["isSecret"], true);
    assert_eq!(r.body["content"], "사이즈 문의 내용");
    let r = s
        .app
        .patch(&path)
        .as_user(&s.seller)
        .json(&json!({ "title": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(403), "문의에 대한 권한이 없습니다.");
    let r = s
        .app
        .patch(&path)
        .as_user(&s.author)
        .json(&json!({ "title": "" }))
        .send()
        .await;
    assert!(r.error_message(400).starts_with("title:"));
    s.app
        .post(&format!("{path}/replies"))
        .as_user(&s.seller)
        .json(&json!({ "content": "답변" }))
        .send()
        .await;
    let r = s
        .app
        .patch(&path)
        .as_user(&s.author)
        .json(&json!({ "content": "다시" }))
        .send()
        .await;
    assert_eq!(
        r.error_message(409),
        "답변이 완료된 문의는 수정할 수 없습니다."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_author_or_the_seller_deletes() {
    let s = scene().await;
    let public = format!("/api/inquiries/{}", s.public_id);
    s.app
        .post(&format!("{public}/replies"))
        .as_user(&s.seller)
        .json(&json!({ "content": "답변" }))
        .send()
        .await;
    let r = s.app.delete(&public).as_user(&s.stranger).send().await;
    assert_eq!(r.error_message(403), "문의에 대한 권한이 없습니다.");
    let r = s.app.delete(&public).as_user(&s.author).send().await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["reply"]["content"], "답변",
        "as it was, reply included"
    );
    assert_eq!(r.body["status"], "CompletedAnswer");
    let replies: i64 = s.app.scalar("SELECT count(*) FROM replies", &[]).await;
    assert_eq!(replies, 0);
    assert_eq!(
        s.app.delete(&public).as_user(&s.author).send().await.status,
        404
    );
    let r = s
        .app
        .delete(&format!("/api/inquiries/{}", s.secret_id))
        .as_user(&s.seller)
        .send()
        .await;
    assert_eq!(r.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_products_seller_replies_once_and_the_author_is_notified() {
    let s = scene().await;
    let path = format!("/api/inquiries/{}/replies", s.public_id);
    let buyer = s
        .app
        .post(&path)
        .as_user(&s.author)
        .json(&json!({ "content": "x" }))
        .send()
        .await;
    assert_eq!(buyer.error_message(403), "판매자만 접근 가능합니다.");
    let (other, _) = s.app.seller_with_store().await;
    let r = s
        .app
        .post(&path)
        .as_user(&other)
        .json(&json!({ "content": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(403), "답변 권한이 없습니다.");
    let r = s
        .app
        .post("/api/inquiries/nope/replies")
        .as_user(&s.seller)
        .json(&json!({ "content": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(404), "문의가 존재하지 않습니다.");
    let r = s
        .app
        .post(&path)
        .as_user(&s.seller)
        .json(&json!({}))
        .send()
        .await;
    assert!(r.error_message(400).starts_with("content:"));

    let results = join_all((0..6).map(|i| {
        s.app
            .post(&path)
            .as_user(&s.seller)
            .json(&json!({ "content": format!("답변 {i}") }))
            .send()
    }))
    .await;
    let created: Vec<&api_tests::Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(created.len(), 1, "exactly one reply");
    for r in results.iter().filter(|r| r.status != 201) {
        assert_eq!(r.error_message(409), "이미 답변이 등록된 문의입니다.");
    }
    let reply = &created[0].body;
    assert_eq!(
        keys(reply),
        [
            "content",
            "createdAt",
            "id",
            "inquiryId",
            "updatedAt",
            "user",
            "userId"
        ]
    );
    assert_eq!(reply["inquiryId"], json!(s.public_id));
    assert_eq!(reply["user"]["id"], json!(s.seller.id));
    let status: String = s
        .app
        .scalar(
            "SELECT status FROM inquiries WHERE id = $1",
            &[&s.public_id],
        )
        .await;
    assert_eq!(status, "CompletedAnswer");
    let n2: String = s
        .app
        .scalar(
            "SELECT content FROM notifications WHERE user_id = $1 AND type = 'INQUIRY_ANSWERED'",
            &[&s.author.id],
        )
        .await;
    assert_eq!(n2, "상품 \"가디건\"의 문의에 답변이 달렸어요.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reply_paths_resolve_reply_ids_then_inquiry_ids() {
    let s = scene().await;
    let reply = s
        .app
        .post(&format!("/api/inquiries/{}/replies", s.secret_id))
        .as_user(&s.seller)
        .json(&json!({ "content": "비밀 답변" }))
        .send()
        .await
        .body;
    let reply_id = reply["id"].as_str().unwrap().to_owned();
    for id in [&reply_id, &s.secret_id] {
        let r = s
            .app
            .get(&format!("/api/inquiries/{id}/replies"))
            .as_user(&s.author)
            .send()
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["id"], json!(reply_id));
    }
    for viewer in [None, Some(&s.stranger)] {
        let mut req = s.app.get(&format!("/api/inquiries/{reply_id}/replies"));
        if let Some(v) = viewer {
            req = req.as_user(v);
        }
        let r = req.send().await;
        assert_eq!(
            r.error_message(403),
            "비밀 문의는 작성자와 판매자만 볼 수 있습니다."
        );
    }
    let none = s
        .app
        .get(&format!("/api/inquiries/{}/replies", s.public_id))
        .send()
        .await;
    assert_eq!(none.error_message(404), "답변을 찾을 수 없습니다.");

    let edited = s
        .app
        .patch(&format!("/api/inquiries/{reply_id}/replies"))
        .as_user(&s.seller)
        .json(&json!({ "content": "고친 답변" }))
        .send()
        .await;
    assert_eq!(edited.status, 200, "{}", edited.text);
    assert_eq!(edited.body["content"], "고친 답변");
    let (other, _) = s.app.seller_with_store().await;
    let r = s
        .app
        .patch(&format!("/api/inquiries/{reply_id}/replies"))
        .as_user(&other)
        .json(&json!({ "content": "x" }))
        .send()
        .await;
    assert_eq!(r.error_message(403), "답변 권한이 없습니다.");
    let r = s
        .app
        .delete(&format!("/api/inquiries/{reply_id}/replies"))
        .as_user(&other)
        .send()
        .await;
    assert_eq!(r.error_message(403), "답변 권한이 없습니다.");
    let notified: i64 = s
        .app
        .scalar(
            "SELECT count(*) FROM notifications WHERE user_id = $1",
            &[&s.author.id],
        )
        .await;
    assert_eq!(notified, 1, "an edit sends no notification");

    let removed = s
        .app
        .delete(&format!("/api/inquiries/{}/replies", s.secret_id))
        .as_user(&s.seller)
        .send()
        .await;
    assert_eq!(removed.status, 200);
    assert_eq!(removed.body["id"], json!(reply_id));
    let status: String = s
        .app
        .scalar(
            "SELECT status FROM inquiries WHERE id = $1",
            &[&s.secret_id],
        )
        .await;
    assert_eq!(status, "WaitingAnswer");
    assert_eq!(
        s.app
            .get(&format!("/api/inquiries/{reply_id}/replies"))
            .as_user(&s.author)
            .send()
            .await
            .status,
        404
    );
    // The author may edit again now that there is no answer.
    let r = s
        .app
        .patch(&format!("/api/inquiries/{}", s.secret_id))
        .as_user(&s.author)
        .json(&json!({ "content": "추가" }))
        .send()
        .await;
    assert_eq!(r.status, 200);
}

/// Replies racing their inquiry's deletion, and inquiries racing their product's: each write
/// either lands first or finds its target gone (404), never a 500.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_racing_the_deletion_of_their_target_find_it_gone() {
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    let (seller, product) = app.seller_with_product("사라지는").await;
    let author = app.buyer().await;
    let mut asked = Vec::new();
    for i in 0..24 {
        let id = app
            .ask(&author, &product, &format!("문의 {i}"), false)
            .await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        asked.push(id);
    }
    let races = asked.iter().map(|id| {
        let (app, seller, author) = (&app, &seller, &author);
        async move {
            let delete = app
                .delete(&format!("/api/inquiries/{id}"))
                .as_user(author)
                .send();
            let (reply, delete) = futures_util::join!(reply(app, seller, id), delete);
            (reply, delete.status)
        }
    });
    for (reply, delete) in join_all(races).await {
        assert!([201, 404].contains(&reply), "reply: {reply}");
        assert_eq!(delete, 200);
    }
    let asks = (0..24).map(|i| {
        let (app, author, product) = (&app, &author, &product);
        async move {
            app.post(&format!("/api/products/{product}/inquiries"))
                .as_user(author)
                .json(
                    &json!({ "title": format!("늦은 {i}"), "content": "내용", "isSecret": false }),
                )
                .send()
                .await
                .status
        }
    });
    let statuses = while_deleting(&app, &seller, &product, join_all(asks)).await;
    assert!(
        statuses.iter().all(|s| [201, 404].contains(s)),
        "{statuses:?}"
    );
    let left: i64 = app.scalar("SELECT count(*) FROM inquiries", &[]).await;
    assert_eq!(left, 0);
}

/// Replies racing the deletion of their inquiries' product: the reply's notification looks the
/// product up, and a product being deleted counts as gone instead of being waited for, so the
/// two never deadlock (a 500).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_racing_their_products_deletion_never_deadlock() {
    let app = api_tests::spawn_app_with(|c| c.db_pool_size = 16).await;
    for round in 0..3 {
        let (seller, product) = app.seller_with_product(&format!("답변 {round}")).await;
        let author = app.buyer().await;
        let mut asked = Vec::new();
        for i in 0..16 {
            asked.push(
                app.ask(&author, &product, &format!("문의 {i}"), false)
                    .await["id"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        let replies = join_all(asked.iter().map(|id| reply(&app, &seller, id)));
        let statuses = while_deleting(&app, &seller, &product, replies).await;
        assert!(
            statuses.iter().all(|s| [201, 404].contains(s)),
            "{statuses:?}"
        );
    }
}
