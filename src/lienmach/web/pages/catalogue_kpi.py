"""Texts of the measuring-the-chain (KPI, process map, alerts) pages, in Vietnamese and in English.

Merged into ``catalogue.MESSAGES``; a key may live in one area only.
"""

from __future__ import annotations

_KPIS: dict[str, dict[str, str]] = {
    "kpi.nav": {"vi": "Chỉ số", "en": "KPIs"},
    "kpi.noun": {"vi": "Chỉ số", "en": "KPI"},
    "kpi.title": {"vi": "Chỉ số vận hành", "en": "Key performance indicators"},
    "kpi.back": {"vi": "← Tất cả chỉ số", "en": "← All KPIs"},
    "kpi.cycle_time.name": {"vi": "Thời gian xử lý đơn", "en": "Order cycle time"},
    "kpi.cycle_time.short": {
        "vi": "Từ lúc đặt đến lúc giao xong, p90 (90 % đơn nhanh hơn), kèm thời gian từng khâu",
        "en": "Placed → delivered, p90 (90 % of orders were faster), with the time in each stage",
    },
    "kpi.cost_per_order.name": {"vi": "Chi phí vận hành mỗi đơn", "en": "Operating cost per order"},
    "kpi.cost_per_order.short": {
        "vi": "Nhân công × đơn giá, bao bì, phí vận chuyển, phí thanh toán và chăm sóc khách,"
        " chia cho số đơn đã kết thúc",
        "en": "Labour × rate, packaging, carrier, payment and support costs, per order that ended",
    },
    "kpi.error_rate.name": {"vi": "Tỷ lệ lỗi quy trình", "en": "Process error rate"},
    "kpi.error_rate.short": {
        "vi": "Số lỗi trên số đơn đặt, theo khâu phát sinh lỗi"
        " (nhập liệu, tự động, giao hàng, CSKH)",
        "en": "Errors per order placed, by the stage where they arose"
        " (data entry, automation, delivery, care)",
    },
    "kpi.nps.name": {"vi": "NPS", "en": "NPS"},
    "kpi.nps.short": {
        "vi": "% khách ủng hộ (9–10) trừ % khách không hài lòng (0–6) trong các phiếu khảo sát",
        "en": "% promoters (9–10) − % detractors (0–6) among survey answers",
    },
    "kpi.resolution_time.name": {
        "vi": "Thời gian xử lý khiếu nại",
        "en": "Complaint resolution time",
    },
    "kpi.resolution_time.short": {
        "vi": "Từ lúc mở phiếu đến lúc giải quyết, p90; phiếu mở lại tính tổng mọi lần mở",
        "en": "Ticket opened → resolved, p90; a reopened ticket counts every open spell",
    },
    "kpi.value": {"vi": "Giá trị", "en": "Value"},
    "kpi.target": {"vi": "Mục tiêu", "en": "Target"},
    "kpi.target.disabled": {"vi": "đang tắt cảnh báo", "en": "alerts off"},
    "kpi.state": {"vi": "Tình trạng", "en": "State"},
    "kpi.state.on": {"vi": "Đạt mục tiêu", "en": "On target"},
    "kpi.state.off": {"vi": "Chưa đạt", "en": "Off target"},
    "kpi.state.unknown": {"vi": "Chưa đủ số liệu", "en": "Not enough data"},
    "kpi.change": {"vi": "So với kỳ trước", "en": "Versus previous window"},
    "kpi.change.versus": {"vi": "(kỳ trước: {value})", "en": "(previous: {value})"},
    "kpi.count": {"vi": "Số lần đo", "en": "Measurements"},
    "kpi.chart.title": {
        "vi": "{name} theo ngày, với đường mục tiêu",
        "en": "{name} per day, with the target line",
    },
    "kpi.table.numbers": {"vi": "Số liệu theo ngày", "en": "Numbers per day"},
    "kpi.table.day": {"vi": "Ngày", "en": "Day"},
    "kpi.window.legend": {"vi": "Khoảng thời gian", "en": "Window"},
    "kpi.window.days": {"vi": "{days} ngày qua", "en": "Last {days} days"},
    "kpi.window.since": {"vi": "Từ ngày", "en": "From"},
    "kpi.window.until": {"vi": "Đến ngày", "en": "To"},
    "kpi.window.apply": {"vi": "Xem", "en": "Show"},
    "kpi.window.shown": {
        "vi": "Số liệu từ {since} đến {until}",
        "en": "Figures from {since} to {until}",
    },
    "kpi.error.date": {
        "vi": "Hãy nhập ngày dạng 2026-11-30.",
        "en": "Give a date such as 2026-11-30.",
    },
    "kpi.error.order": {
        "vi": "Ngày kết thúc phải sau ngày bắt đầu.",
        "en": "The end must not be before the start.",
    },
    "kpi.error.too_long": {"vi": "Tối đa 366 ngày.", "en": "At most 366 days."},
    "kpi.error.days": {"vi": "Chọn 7, 30 hoặc 90 ngày.", "en": "Choose 7, 30 or 90 days."},
    "kpi.error.dimension": {
        "vi": "Chọn một chiều: sản phẩm, tỉnh, vùng, kênh, hãng vận chuyển hoặc kho.",
        "en": "Choose a dimension: product, province, region, channel, carrier or warehouse.",
    },
    "kpi.dimension.all": {"vi": "Toàn bộ", "en": "Whole business"},
    "kpi.dimension.channel": {"vi": "Kênh bán", "en": "Channel"},
    "kpi.dimension.province": {"vi": "Tỉnh/thành", "en": "Province"},
    "kpi.dimension.region": {"vi": "Vùng", "en": "Region"},
    "kpi.dimension.product": {"vi": "Sản phẩm", "en": "Product"},
    "kpi.dimension.warehouse": {"vi": "Kho", "en": "Warehouse"},
    "kpi.dimension.carrier": {"vi": "Hãng vận chuyển", "en": "Carrier"},
    "kpi.region.north": {"vi": "Miền Bắc", "en": "North"},
    "kpi.region.central": {"vi": "Miền Trung", "en": "Central"},
    "kpi.region.south": {"vi": "Miền Nam", "en": "South"},
    "kpi.slices.title": {"vi": "Theo từng nhóm", "en": "By slice"},
    "kpi.slices.by": {"vi": "Chia theo", "en": "Slice by"},
    "kpi.slices.none": {
        "vi": "Chưa có số liệu trong khoảng này.",
        "en": "Nothing measured in this window.",
    },
    "kpi.compare.title": {"vi": "So sánh hai khoảng thời gian", "en": "Two windows compared"},
    "kpi.compare.b_since": {"vi": "Kỳ B từ", "en": "Window B from"},
    "kpi.compare.b_until": {"vi": "Kỳ B đến", "en": "Window B to"},
    "kpi.compare.apply": {"vi": "So sánh", "en": "Compare"},
    "kpi.compare.a": {"vi": "Kỳ A ({since} – {until})", "en": "Window A ({since} – {until})"},
    "kpi.compare.b": {"vi": "Kỳ B ({since} – {until})", "en": "Window B ({since} – {until})"},
    "kpi.compare.difference": {"vi": "Chênh lệch (A − B)", "en": "Difference (A − B)"},
    "kpi.drill.title": {"vi": "Các đơn của nhóm {slice}", "en": "Orders of {slice}"},
    "kpi.drill.clear": {"vi": "Bỏ chọn nhóm", "en": "Clear the slice"},
    "kpi.drill.placed": {"vi": "Đặt lúc", "en": "Placed"},
    "kpi.drill.total": {"vi": "Tổng tiền", "en": "Total"},
    "kpi.drill.none": {
        "vi": "Không có đơn nào đặt trong khoảng này.",
        "en": "No order was placed in this window.",
    },
    "kpi.unit.days": {"vi": "{n} ngày", "en": "{n} d"},
    "kpi.unit.hours": {"vi": "{n} giờ", "en": "{n} h"},
    "kpi.unit.minutes": {"vi": "{n} phút", "en": "{n} min"},
    "kpi.unit.seconds": {"vi": "{n} giây", "en": "{n} s"},
}

_TARGETS: dict[str, dict[str, str]] = {
    "kpi.targets.link": {"vi": "Sửa mục tiêu và chi phí", "en": "Edit targets and costs"},
    "kpi.targets.title": {"vi": "Mục tiêu và mô hình chi phí", "en": "Targets and cost model"},
    "kpi.targets.intro": {
        "vi": "Khi một chỉ số vượt mục tiêu (đo trên 7 ngày gần nhất), hệ thống báo động,"
        " có thể gửi e-mail và mở phiếu khắc phục.",
        "en": "When a KPI breaks its target (measured over the last 7 days) an alert is raised,"
        " which can send an e-mail and open a corrective ticket.",
    },
    "kpi.targets.saved": {"vi": "Đã lưu.", "en": "Saved."},
    "kpi.targets.refused": {
        "vi": "Chưa lưu: hãy sửa ô được đánh dấu.",
        "en": "Nothing was saved: fix the field marked below.",
    },
    "kpi.targets.threshold.cycle_time": {"vi": "Tối đa (giờ, p90)", "en": "At most (hours, p90)"},
    "kpi.targets.threshold.resolution_time": {
        "vi": "Tối đa (giờ, p90)",
        "en": "At most (hours, p90)",
    },
    "kpi.targets.threshold.error_rate": {"vi": "Tối đa (% số đơn)", "en": "At most (% of orders)"},
    "kpi.targets.threshold.nps": {"vi": "Tối thiểu (điểm NPS)", "en": "At least (NPS points)"},
    "kpi.targets.threshold.cost_per_order": {
        "vi": "Thay đổi tối đa so với quý trước (%; −5 nghĩa là giảm 5 %)",
        "en": "Largest change against last quarter (%; −5 means 5 % down)",
    },
    "kpi.targets.enabled": {"vi": "Theo dõi và báo động", "en": "Watch and raise alerts"},
    "kpi.targets.send_email": {"vi": "Gửi e-mail khi báo động", "en": "Send an e-mail on an alert"},
    "kpi.targets.notify_email": {"vi": "Gửi tới", "en": "Send to"},
    "kpi.targets.open_ticket": {"vi": "Mở phiếu khắc phục", "en": "Open a corrective ticket"},
    "kpi.targets.ticket_customer_id": {
        "vi": "Mã khách hàng nội bộ nhận phiếu",
        "en": "Internal customer id the ticket is opened for",
    },
    "kpi.targets.slice_by": {"vi": "Theo dõi cả từng nhóm của", "en": "Also watch every value of"},
    "kpi.targets.min_sample": {
        "vi": "Số lần đo tối thiểu để đánh giá",
        "en": "Fewest measurements to judge",
    },
    "kpi.targets.save": {"vi": "Lưu mục tiêu", "en": "Save target"},
    "kpi.error.threshold": {
        "vi": "Hãy nhập một số (dùng dấu chấm hoặc phẩy), ví dụ 48 hoặc 0,1.",
        "en": "Give a number, for example 48 or 0.1.",
    },
    "kpi.error.notify_email": {
        "vi": "Hãy nhập e-mail nhận báo động, ví dụ chu@cuahang.vn.",
        "en": "Give the e-mail to tell, such as owner@example.vn.",
    },
    "kpi.error.ticket_customer_id": {
        "vi": "Hãy nhập mã của một khách hàng có thật để mở phiếu.",
        "en": "Give the id of an existing customer to open the ticket for.",
    },
    "kpi.error.min_sample": {
        "vi": "Hãy nhập số nguyên từ 1 trở lên.",
        "en": "Give a whole number, 1 or more.",
    },
    "kpi.error.slice_by": {
        "vi": "Chọn trong các chiều có sẵn.",
        "en": "Choose among the listed dimensions.",
    },
    "kpi.error.kpi": {"vi": "Chỉ số không tồn tại.", "en": "No such KPI."},
    "kpi.error.rate": {
        "vi": "Hãy nhập số nguyên từ 0 trở lên.",
        "en": "Give a whole number, 0 or more.",
    },
    "kpi.costs.title": {"vi": "Mô hình chi phí", "en": "Cost model"},
    "kpi.costs.intro": {
        "vi": "Đơn giá áp dụng cho mọi khoảng thời gian, kể cả quá khứ.",
        "en": "Rates apply to every window, past ones included.",
    },
    "kpi.costs.labour_vnd_per_hour": {
        "vi": "Đơn giá nhân công (₫/giờ)",
        "en": "Labour rate (₫ per hour)",
    },
    "kpi.costs.order_handling_minutes": {
        "vi": "Phút xử lý mỗi đơn",
        "en": "Minutes of handling per order",
    },
    "kpi.costs.picking_minutes": {
        "vi": "Phút lấy hàng mỗi đơn",
        "en": "Minutes of picking per order",
    },
    "kpi.costs.packing_minutes": {
        "vi": "Phút đóng gói mỗi kiện",
        "en": "Minutes of packing per parcel",
    },
    "kpi.costs.packaging_vnd": {"vi": "Bao bì mỗi kiện (₫)", "en": "Packaging per parcel (₫)"},
    "kpi.costs.prepaid_fee_basis_points": {
        "vi": "Phí cổng thanh toán (phần vạn, 110 = 1,1 %)",
        "en": "Payment gateway fee (basis points, 110 = 1.1 %)",
    },
    "kpi.costs.cod_fee_basis_points": {
        "vi": "Phí thu hộ COD (phần vạn, 50 = 0,5 %)",
        "en": "Cash-on-delivery fee (basis points, 50 = 0.5 %)",
    },
    "kpi.costs.support_minutes": {
        "vi": "Phút CSKH mỗi phiếu",
        "en": "Minutes of support per ticket",
    },
    "kpi.costs.save": {"vi": "Lưu đơn giá", "en": "Save rates"},
}

_ALERTS: dict[str, dict[str, str]] = {
    "kpi.alerts.title": {"vi": "Cảnh báo chỉ số đang mở", "en": "Open KPI alerts"},
    "kpi.alerts.kpi": {"vi": "Chỉ số", "en": "KPI"},
    "kpi.alerts.slice": {"vi": "Phạm vi", "en": "Slice"},
    "kpi.alerts.whole": {"vi": "Toàn bộ", "en": "Whole business"},
    "kpi.alerts.measured": {"vi": "Hiện tại / mục tiêu", "en": "Now / target"},
    "kpi.alerts.at_raise": {"vi": "lúc cảnh báo: {measured}", "en": "when raised: {measured}"},
    "kpi.alerts.too_few": {"vi": "chưa đủ số liệu", "en": "too little data now"},
    "kpi.alerts.window": {
        "vi": "Đo trong 7 ngày gần nhất; chi phí mỗi đơn: quý này so với quý trước.",
        "en": "Measured over the last 7 days; cost per order: this quarter against the last.",
    },
    "kpi.alerts.versus": {"vi": "{measured} / {threshold}", "en": "{measured} / {threshold}"},
    "kpi.alerts.since": {"vi": "Từ lúc", "en": "Since"},
    "kpi.alerts.stage": {"vi": "Khâu cần xem", "en": "Stage to look at"},
    "kpi.alerts.ticket": {"vi": "Phiếu khắc phục", "en": "Corrective ticket"},
    "kpi.stage.reserve": {"vi": "Giữ hàng", "en": "Reservation"},
    "kpi.stage.wait": {"vi": "Chờ xử lý", "en": "Waiting"},
    "kpi.stage.pick": {"vi": "Lấy hàng", "en": "Picking"},
    "kpi.stage.picking": {"vi": "Lấy hàng", "en": "Picking"},
    "kpi.stage.pack": {"vi": "Đóng gói", "en": "Packing"},
    "kpi.stage.packing": {"vi": "Đóng gói", "en": "Packing"},
    "kpi.stage.handover": {"vi": "Bàn giao vận chuyển", "en": "Hand-over"},
    "kpi.stage.transit": {"vi": "Đang vận chuyển", "en": "Transit"},
    "kpi.stage.delivery": {"vi": "Giao hàng", "en": "Delivery"},
    "kpi.stage.data_entry": {"vi": "Nhập liệu", "en": "Data entry"},
    "kpi.stage.automation": {"vi": "Tự động hóa", "en": "Automation"},
    "kpi.stage.payment": {"vi": "Thanh toán", "en": "Payment"},
    "kpi.stage.customer_care": {"vi": "Chăm sóc khách hàng", "en": "Customer care"},
}

_PROCESS: dict[str, dict[str, str]] = {
    "process.nav": {"vi": "Bản đồ quy trình", "en": "Process map"},
    "process.title": {"vi": "Bản đồ quy trình đơn hàng", "en": "Order process map"},
    "process.intro": {
        "vi": "{orders} đơn hàng, {variants} biến thể quy trình."
        " Mũi tên ghi số lần chuyển và thời gian chờ trung vị.",
        "en": "{orders} orders, {variants} process variants."
        " Arrows show the number of transitions and the median wait.",
    },
    "process.map.caption": {
        "vi": "Các bước từ trên xuống dưới; đường đỏ bên trái là vòng lặp làm lại.",
        "en": "Steps from top to bottom; red lines on the left are rework loops.",
    },
    "process.empty": {"vi": "Chưa có đơn hàng nào.", "en": "No orders yet."},
    "process.bottlenecks.title": {
        "vi": "Nơi đơn hàng chờ lâu nhất",
        "en": "Where orders wait longest",
    },
    "process.from": {"vi": "Từ bước", "en": "From"},
    "process.to": {"vi": "Đến bước", "en": "To"},
    "process.median": {"vi": "Chờ trung vị", "en": "Median wait"},
    "process.p90": {"vi": "Chờ p90", "en": "p90 wait"},
    "process.transitions": {"vi": "Số lần", "en": "Transitions"},
    "process.variants.title": {"vi": "Các biến thể quy trình", "en": "Process variants"},
    "process.variants.path": {"vi": "Các bước", "en": "Steps"},
    "process.variants.orders": {"vi": "Số đơn", "en": "Orders"},
    "process.variants.share": {"vi": "Tỷ lệ", "en": "Share"},
    "process.rework.title": {"vi": "Làm lại và vòng lặp", "en": "Rework and loops"},
    "process.rework.activity": {
        "vi": "{activity}: {orders} đơn làm lại, thêm {repeats} lần",
        "en": "{activity}: {orders} orders did it again, {repeats} extra times",
    },
    "process.rework.loop": {
        "vi": "{source} → quay lại {target}: {count} lần",
        "en": "{source} → back to {target}: {count} times",
    },
    "process.rework.none": {"vi": "Không có làm lại.", "en": "No rework."},
}

_ACTIVITIES = {
    "CarrierChosen": ("Chọn hãng vận chuyển", "Carrier chosen"),
    "CreditNoteIssued": ("Xuất phiếu giảm trừ", "Credit note issued"),
    "InvoiceIssued": ("Xuất hóa đơn", "Invoice issued"),
    "LatePaymentReceived": ("Nhận tiền trễ", "Late payment received"),
    "OrderBackordered": ("Chờ hàng về", "Backordered"),
    "OrderCancelled": ("Hủy đơn", "Cancelled"),
    "OrderDelivered": ("Đã giao", "Delivered"),
    "OrderFulfilmentStarted": ("Bắt đầu xử lý kho", "Fulfilment started"),
    "OrderPaid": ("Đã thanh toán", "Paid"),
    "OrderPlaced": ("Đặt hàng", "Placed"),
    "OrderReserved": ("Giữ hàng", "Reserved"),
    "OrderReturned": ("Hoàn hàng", "Returned"),
    "OrderShipped": ("Đã gửi đi", "Shipped"),
    "ParcelPacked": ("Đóng gói xong", "Parcel packed"),
    "PickTaskCancelled": ("Hủy lệnh lấy hàng", "Pick task cancelled"),
    "PickTaskPicked": ("Lấy hàng xong", "Picked"),
    "PickTaskQueued": ("Vào hàng đợi lấy hàng", "Pick task queued"),
    "RefundIssued": ("Hoàn tiền", "Refund issued"),
    "ScanRejected": ("Quét sai mã", "Scan rejected"),
    "ShipmentBooked": ("Đặt vận chuyển", "Shipment booked"),
    "ShipmentDelivered": ("Vận đơn đã giao", "Shipment delivered"),
    "ShipmentFailed": ("Giao không thành công", "Delivery failed"),
    "ShipmentReturned": ("Vận đơn hoàn về", "Shipment returned"),
    "SurveyAnswered": ("Khách trả lời khảo sát", "Survey answered"),
    "SurveySent": ("Gửi khảo sát", "Survey sent"),
    "TicketOpened": ("Mở phiếu hỗ trợ", "Ticket opened"),
    "TicketReopened": ("Mở lại phiếu", "Ticket reopened"),
    "TicketResolved": ("Giải quyết phiếu", "Ticket resolved"),
}

MESSAGES: dict[str, dict[str, str]] = {
    **_KPIS,
    **_TARGETS,
    **_ALERTS,
    **_PROCESS,
    **{f"process.activity.{name}": {"vi": vi, "en": en} for name, (vi, en) in _ACTIVITIES.items()},
}
