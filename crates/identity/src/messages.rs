//! Normative client-facing texts of this capability (spec §2.1, §2.2, §0.5).

pub const LOGIN_REQUIRED: &str = "로그인이 필요합니다.";
pub const INVALID_ACCESS_TOKEN: &str = "유효하지 않거나 만료된 토큰입니다.";
pub const BAD_CREDENTIALS: &str = "이메일 또는 비밀번호가 올바르지 않습니다.";
pub const NO_REFRESH_TOKEN: &str = "리프레시 토큰이 없습니다.";
pub const INVALID_REFRESH_TOKEN: &str = "유효하지 않거나 만료된 리프레시 토큰입니다.";
pub const EMAIL_TAKEN: &str = "이미 가입된 이메일입니다.";
pub const WRONG_CURRENT_PASSWORD: &str = "현재 비밀번호가 일치하지 않습니다.";
pub const BUYERS_ONLY: &str = "구매자만 이용할 수 있습니다.";
pub const SELLERS_ONLY: &str = "판매자만 접근 가능합니다.";
pub const LOGGED_OUT: &str = "성공적으로 로그아웃되었습니다.";
pub const ACCOUNT_DELETED: &str = "회원 탈퇴가 완료되었습니다.";
