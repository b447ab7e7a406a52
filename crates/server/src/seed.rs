//! Demo data (spec §4.13), inserted at start-up when `SEED_DEMO=true` and only then. It goes
//! through the same use cases as the API, so it obeys every rule; it does nothing when
//! `seller@codiit.com` already exists.

use crate::state::AppState;
use catalog::product::ProductInput;
use catalog::store::StoreInput;
use chrono::{Duration, SecondsFormat};
use identity::SignupInput;
use kernel::{DomainError, DomainResult, Patch};
use media::ImageInput;
use serde_json::json;

pub const BUYER_EMAIL: &str = "buyer@codiit.com";
pub const SELLER_EMAIL: &str = "seller@codiit.com";
pub const PASSWORD: &str = "test1234";

/// (name, category, price, image, stocks as (sizeId, quantity), discount)
type DemoProduct = (
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static [(i32, i32)],
    Discount,
);

enum Discount {
    None,
    Open(i64),
    /// From the seeding time to one year later.
    YearFromNow(i64),
    /// Ending thirty days from now.
    MonthLeft(i64),
}

/// Twelve products over all seven categories and every price band (0–20 000 … ≥ 200 000).
const PRODUCTS: &[DemoProduct] = &[
    (
        "베이직 코튼 티셔츠",
        "top",
        9_900,
        "tshirt",
        &[(2, 20), (3, 30), (4, 0)],
        Discount::None,
    ),
    (
        "린넨 오버핏 셔츠",
        "top",
        39_000,
        "shirt",
        &[(3, 15), (4, 12)],
        Discount::Open(10),
    ),
    (
        "와이드 데님 팬츠",
        "bottom",
        49_000,
        "denim",
        &[(2, 8), (3, 10), (4, 6)],
        Discount::None,
    ),
    (
        "코튼 치노 팬츠",
        "bottom",
        59_000,
        "chino",
        &[(3, 7), (5, 5)],
        Discount::None,
    ),
    (
        "플로럴 미디 원피스",
        "dress",
        89_000,
        "floral-dress",
        &[(2, 5), (3, 5)],
        Discount::YearFromNow(20),
    ),
    (
        "니트 롱 원피스",
        "dress",
        129_000,
        "knit-dress",
        &[(3, 4), (4, 3)],
        Discount::None,
    ),
    (
        "울 블렌드 코트",
        "outer",
        259_000,
        "wool-coat",
        &[(3, 3), (4, 2)],
        Discount::None,
    ),
    (
        "경량 패딩 점퍼",
        "outer",
        159_000,
        "padding",
        &[(3, 6), (4, 6), (5, 4)],
        Discount::MonthLeft(15),
    ),
    (
        "플리츠 미니 스커트",
        "skirt",
        29_000,
        "skirt",
        &[(1, 6), (2, 9)],
        Discount::None,
    ),
    (
        "러닝 스니커즈",
        "shoes",
        79_000,
        "sneakers",
        &[(4, 5), (6, 0)],
        Discount::None,
    ),
    (
        "레더 첼시 부츠",
        "shoes",
        189_000,
        "boots",
        &[(3, 3), (4, 2)],
        Discount::None,
    ),
    (
        "캔버스 토트백",
        "acc",
        19_900,
        "tote",
        &[(6, 25), (2, 0)],
        Discount::None,
    ),
];

fn signup(name: &str, email: &str, user_type: &str) -> SignupInput {
    SignupInput {
        name: Some(name.into()),
        email: Some(email.into()),
        password: Some(PASSWORD.into()),
        user_type: Some(user_type.into()),
    }
}

/// Seeds the demo data; `false` when it was already there.
pub async fn seed_demo(state: &AppState, base_url: &str) -> DomainResult<bool> {
    let seller = match state
        .accounts
        .signup(signup("데모판매자", SELLER_EMAIL, "SELLER"))
        .await
    {
        Ok(user) => user,
        Err(DomainError::Conflict(_)) => return Ok(false),
        Err(e) => return Err(e),
    };
    match state
        .accounts
        .signup(signup("데모구매자", BUYER_EMAIL, "BUYER"))
        .await
    {
        Ok(_) | Err(DomainError::Conflict(_)) => {}
        Err(e) => return Err(e),
    }
    state
        .catalog
        .create_store(
            &seller.id,
            StoreInput {
                name: Some("코디잇 데모 스토어".into()),
                address: Some("서울특별시 강남구 테헤란로 123".into()),
                detail_address: Some("코디잇타워 11층".into()),
                phone_number: Some("02-1234-5678".into()),
                content: Some("코디잇 데모 스토어입니다.\n매일 입기 좋은 옷을 소개합니다.".into()),
                image: Some(ImageInput::Url(format!(
                    "{base_url}/static/default-store.png"
                ))),
                remove_image: None,
            },
        )
        .await?;
    let now = state.catalog.now();
    let at = |t: chrono::DateTime<chrono::Utc>| {
        Patch::Value(t.to_rfc3339_opts(SecondsFormat::Millis, true))
    };
    for (name, category, price, image, stocks, discount) in PRODUCTS {
        let (rate, start, end) = match discount {
            Discount::None => (Patch::Absent, Patch::Absent, Patch::Absent),
            Discount::Open(r) => (Patch::Value(*r), Patch::Absent, Patch::Absent),
            Discount::YearFromNow(r) => (Patch::Value(*r), at(now), at(now + Duration::days(365))),
            Discount::MonthLeft(r) => (
                Patch::Value(*r),
                Patch::Absent,
                at(now + Duration::days(30)),
            ),
        };
        let stocks: Vec<_> = stocks
            .iter()
            .map(|(size, quantity)| json!({ "sizeId": size, "quantity": quantity }))
            .collect();
        state
            .catalog
            .create_product(
                &seller.id,
                ProductInput {
                    name: Some((*name).into()),
                    price: Some(*price),
                    category_name: Some((*category).into()),
                    stocks: Some(json!(stocks)),
                    content: Some(format!("<p>{name}</p><p>코디잇 데모 상품입니다.</p>")),
                    discount_rate: rate,
                    discount_start_time: start,
                    discount_end_time: end,
                    image: Some(ImageInput::Url(format!(
                        "{base_url}/static/demo/{image}.png"
                    ))),
                    multipart: false,
                },
            )
            .await?;
    }
    Ok(true)
}
