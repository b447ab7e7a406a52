//! Normative client-facing texts (spec §2.6, §2.7).

pub const CART_ITEM_NOT_FOUND: &str = "장바구니에 아이템이 없습니다.";
pub const CART_ITEM_FORBIDDEN: &str = "장바구니 아이템에 대한 권한이 없습니다.";
pub const CART_OUT_OF_STOCK: &str = "해당 사이즈의 재고가 더 이상 존재하지 않습니다.";
pub const PRODUCT_NOT_FOUND: &str = "상품을 찾을 수 없습니다.";
pub const DUPLICATE_LINE: &str = "주문 항목에 중복된 상품 사이즈가 있습니다.";
pub const KEY_REUSED: &str = "이미 다른 요청에 사용된 Idempotency-Key입니다.";
pub const SIZE_NOT_SOLD: &str = "판매하지 않는 사이즈가 포함되어 있습니다.";
pub const POINTS_OVER_SUBTOTAL: &str = "사용 포인트는 주문 금액을 초과할 수 없습니다.";
pub const POINTS_OVER_BALANCE: &str = "보유 포인트를 초과할 수 없습니다.";
pub const INSUFFICIENT_STOCK: &str = "재고가 부족한 상품이 있어 주문할 수 없습니다.";
pub const ORDER_NOT_FOUND: &str = "주문을 찾을 수 없습니다.";
pub const ORDER_FORBIDDEN: &str = "주문에 대한 권한이 없습니다.";
pub const NOTHING_TO_UPDATE: &str = "수정할 필드를 최소 1개 이상 입력해주세요.";
pub const NOT_EDITABLE: &str = "수정할 수 없는 주문 상태입니다.";
pub const NOT_CANCELLABLE: &str = "취소할 수 없는 주문 상태입니다.";
pub const POINTS_ALREADY_SPENT: &str = "적립된 포인트가 부족하여 주문을 취소할 수 없습니다.";
pub const CANCELLED: &str = "주문이 성공적으로 취소되고 포인트가 복구되었습니다.";
