"""motcua identity service: Đăng ký, đăng nhập OTP, TOTP, token, hồ sơ cá nhân, cán bộ."""
