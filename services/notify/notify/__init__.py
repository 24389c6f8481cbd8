"""motcua notify service: Email, SMS, hộp thư trong ứng dụng, tùy chọn nhận thông báo."""
