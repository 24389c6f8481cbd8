"""motcua submission service: Hồ sơ trực tuyến, tệp đính kèm, mã hồ sơ, lịch làm việc,
quy trình xử lý."""
