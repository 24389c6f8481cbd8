"""motcua tracking service: Tra cứu theo mã hồ sơ hoặc CCCD, tiến trình, thống kê đúng hạn."""
