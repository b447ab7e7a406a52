//! Normative client-facing texts of the catalog (spec §2.3, §2.4).

pub const STORE_NOT_FOUND: &str = "스토어를 찾을 수 없습니다.";
pub const STORE_EXISTS: &str = "이미 등록된 스토어가 있습니다.";
pub const STORE_FORBIDDEN: &str = "스토어에 대한 권한이 없습니다.";
pub const PRODUCT_NOT_FOUND: &str = "상품을 찾을 수 없습니다.";
pub const PRODUCT_EDIT_FORBIDDEN: &str = "이 상품을 수정할 권한이 없습니다.";
pub const PRODUCT_DELETE_FORBIDDEN: &str = "이 상품을 삭제할 권한이 없습니다.";
pub const CATEGORY_NOT_FOUND: &str = crate::reference::CATEGORY_NOT_FOUND;
