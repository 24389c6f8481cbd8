"""motcua catalog service: Cơ quan, thủ tục (mức độ 1–4), biểu mẫu điện tử, tìm kiếm."""
