//! Normative client-facing texts (spec §2.5, §2.9, §4.10).

pub const PRODUCT_NOT_FOUND: &str = "상품을 찾을 수 없습니다.";
pub const INQUIRY_NOT_FOUND: &str = "문의가 존재하지 않습니다.";
pub const SECRET_FORBIDDEN: &str = "비밀 문의는 작성자와 판매자만 볼 수 있습니다.";
pub const NOTHING_TO_UPDATE: &str = "수정할 필드를 최소 1개 이상 입력해주세요.";
pub const INQUIRY_FORBIDDEN: &str = "문의에 대한 권한이 없습니다.";
pub const ANSWERED: &str = "답변이 완료된 문의는 수정할 수 없습니다.";
pub const REPLY_FORBIDDEN: &str = "답변 권한이 없습니다.";
pub const REPLY_EXISTS: &str = "이미 답변이 등록된 문의입니다.";
pub const REPLY_NOT_FOUND: &str = "답변을 찾을 수 없습니다.";
pub const MASKED_TITLE: &str = "비밀 문의";
pub const MASKED_CONTENT: &str = "비밀문의";
