"""Texts of the work pages (warehouse, shipments, tickets, customers, tracking, survey).

vi and en; merged into ``catalogue.MESSAGES``; a key may live in one area only.
"""

from __future__ import annotations

_CARRIER_STATUSES: dict[str, tuple[str, str]] = {
    "ready_to_pick": ("Chờ lấy hàng", "Waiting for pickup"),
    "picking": ("Đang lấy hàng", "Courier on the way to pick up"),
    "picked": ("Đã lấy hàng", "Picked up"),
    "storing": ("Đang lưu kho", "At the sorting hub"),
    "transporting": ("Đang luân chuyển", "In transit"),
    "delivering": ("Đang giao hàng", "Out for delivery"),
    "delivered": ("Giao thành công", "Delivered"),
    "delivery_fail": ("Giao không thành công", "Delivery attempt failed"),
    "waiting_to_return": ("Chờ hoàn hàng", "Waiting to be returned"),
    "return": ("Đang hoàn hàng", "Being returned"),
    "returned": ("Đã hoàn hàng", "Returned to sender"),
    "cancel": ("Đã hủy vận đơn", "Shipment cancelled"),
}

_STAGES: dict[str, tuple[str, str]] = {
    "data_entry": ("Nhập liệu", "Data entry"),
    "reservation": ("Giữ hàng", "Reservation"),
    "picking": ("Lấy hàng", "Picking"),
    "packing": ("Đóng gói", "Packing"),
    "delivery": ("Giao hàng", "Delivery"),
    "billing": ("Thanh toán, hóa đơn", "Billing"),
    "customer_care": ("Chăm sóc khách hàng", "Customer care"),
    "unknown": ("Chưa rõ", "Not known yet"),
}

MESSAGES: dict[str, dict[str, str]] = {
    # menu
    "warehouse.nav": {"vi": "Kho", "en": "Warehouse"},
    "shipments.nav": {"vi": "Vận chuyển", "en": "Shipments"},
    "tickets.nav": {"vi": "Hỗ trợ", "en": "Tickets"},
    "customers.nav": {"vi": "Khách hàng", "en": "Customers"},
    # warehouse: the pick queue
    "warehouse.title": {"vi": "Hàng chờ soạn", "en": "Pick queue"},
    "warehouse.intro": {
        "vi": "Việc gấp nhất ở trên cùng: giao nhanh, sắp đến hạn hứa, khách hạng cao, chờ lâu.",
        "en": "Most urgent first: express, promise falling due, higher tier, waiting longest.",
    },
    "warehouse.counts": {
        "vi": "{queued} phiếu chờ lấy, {picked} phiếu chờ đóng gói",
        "en": "{queued} to pick, {picked} waiting to be packed",
    },
    "warehouse.priority": {"vi": "Ưu tiên", "en": "Priority"},
    "warehouse.warehouse": {"vi": "Kho", "en": "Warehouse"},
    "warehouse.items": {"vi": "Hàng cần lấy", "en": "Items"},
    "warehouse.state": {"vi": "Trạng thái", "en": "State"},
    "warehouse.confirm_pick": {"vi": "Xác nhận đã lấy hàng", "en": "Confirm pick"},
    "warehouse.pack": {"vi": "Đóng gói", "en": "Pack"},
    "warehouse.none": {"vi": "Không còn phiếu nào chờ.", "en": "Nothing is waiting."},
    "warehouse.task_noun": {"vi": "phiếu lấy hàng", "en": "pick task"},
    "warehouse.error.not_queued": {
        "vi": "Phiếu {task} không còn chờ lấy (có thể người khác đã xác nhận). Danh sách đã"
        " được tải lại.",
        "en": "Pick task {task} is no longer waiting (someone may have confirmed it)."
        " The list is fresh again.",
    },
    # packing station
    "pack.title": {"vi": "Đóng gói đơn {number}", "en": "Packing order {number}"},
    "pack.pick_first": {
        "vi": "Hãy xác nhận đã lấy hàng trước khi đóng gói.",
        "en": "Confirm the pick before packing.",
    },
    "pack.scan_label": {
        "vi": "Quét mã vạch (hoặc gõ SKU rồi Enter)",
        "en": "Scan a barcode (or type the SKU and press Enter)",
    },
    "pack.scan_submit": {"vi": "Kiểm", "en": "Check"},
    "pack.progress_label": {"vi": "Đã kiểm / cần kiểm:", "en": "Verified / to verify:"},
    "pack.barcode": {"vi": "Mã vạch", "en": "Barcode"},
    "pack.verified": {"vi": "Đã kiểm", "en": "Verified"},
    "pack.scan.accepted": {
        "vi": "Đúng ✓ {sku}: {scanned}/{quantity}",
        "en": "Correct ✓ {sku}: {scanned}/{quantity}",
    },
    "pack.scan.unknown": {
        "vi": "Mã {code} không thuộc kiện này. Để riêng sản phẩm này ra.",
        "en": "Code {code} is not in this parcel. Put this item aside.",
    },
    "pack.scan.extra": {
        "vi": "Đã quét đủ {units} đơn vị {sku}. Sản phẩm này bị thừa, để riêng ra.",
        "en": "All {units} units of {sku} are already scanned. This one is extra: put it aside.",
    },
    "pack.scan.empty": {"vi": "Chưa quét được mã nào.", "en": "Nothing was scanned."},
    "pack.scan.not_picked": {
        "vi": "Phiếu này không ở bước đóng gói nên không quét được.",
        "en": "This task is not at the packing step, so nothing can be scanned.",
    },
    "pack.scan.failed": {
        "vi": "Không gửi được lần quét. Tải lại trang rồi quét lại.",
        "en": "The scan could not be sent. Reload the page and scan again.",
    },
    "pack.close_title": {"vi": "Đóng kiện", "en": "Close the parcel"},
    "pack.close_hint": {
        "vi": "Chỉ đóng kiện được khi mọi sản phẩm đã được quét kiểm.",
        "en": "The parcel can be closed once every unit is verified.",
    },
    "pack.field.weight_grams": {"vi": "Cân nặng (gam)", "en": "Weight (grams)"},
    "pack.field.length_cm": {"vi": "Dài (cm)", "en": "Length (cm)"},
    "pack.field.width_cm": {"vi": "Rộng (cm)", "en": "Width (cm)"},
    "pack.field.height_cm": {"vi": "Cao (cm)", "en": "Height (cm)"},
    "pack.close": {"vi": "Đóng kiện", "en": "Close parcel"},
    "pack.error.weight_grams": {
        "vi": "Cân nặng (gam): hãy cân kiện hàng và nhập số gam, lớn hơn 0.",
        "en": "Weight (grams): weigh the parcel and give its weight in grams, more than 0.",
    },
    "pack.error.length_cm": {
        "vi": "Dài (cm): nhập số cm nguyên lớn hơn 0, hoặc để trống.",
        "en": "Length (cm): give whole centimetres, more than 0, or leave it empty.",
    },
    "pack.error.width_cm": {
        "vi": "Rộng (cm): nhập số cm nguyên lớn hơn 0, hoặc để trống.",
        "en": "Width (cm): give whole centimetres, more than 0, or leave it empty.",
    },
    "pack.error.height_cm": {
        "vi": "Cao (cm): nhập số cm nguyên lớn hơn 0, hoặc để trống.",
        "en": "Height (cm): give whole centimetres, more than 0, or leave it empty.",
    },
    "pack.error.packer": {
        "vi": "Không rõ ai đóng gói: hãy đăng nhập lại.",
        "en": "Who packed it is unknown: log in again.",
    },
    "pack.error.missing": {
        "vi": "Chưa đóng kiện được: còn thiếu {missing}. Quét kiểm đủ rồi đóng lại.",
        "en": "The parcel cannot be closed yet: {missing} still to verify. Scan them first.",
    },
    "pack.error.not_picked": {
        "vi": "Phiếu này không ở bước đóng gói nên không đóng kiện được.",
        "en": "This task is not at the packing step, so the parcel cannot be closed.",
    },
    "pack.packed": {
        "vi": "Đã đóng kiện ({weight} g).",
        "en": "Parcel closed ({weight} g).",
    },
    "pack.shipment": {
        "vi": "Đã đặt vận chuyển: {carrier}, mã vận đơn {code}",
        "en": "Shipment booked: {carrier}, tracking number {code}",
    },
    "pack.open_shipment": {"vi": "Xem vận đơn", "en": "Open the shipment"},
    "pack.no_shipment_yet": {
        "vi": "Đang chọn hãng vận chuyển cho kiện này.",
        "en": "A carrier is being chosen for this parcel.",
    },
    # shipments
    "shipments.noun": {"vi": "vận đơn", "en": "shipment"},
    "shipments.title": {"vi": "Vận chuyển", "en": "Shipments"},
    "shipments.filters": {"vi": "Lọc vận đơn", "en": "Shipment filters"},
    "shipments.state": {"vi": "Trạng thái", "en": "State"},
    "shipments.carrier": {"vi": "Hãng vận chuyển", "en": "Carrier"},
    "shipments.tracking_code": {"vi": "Mã vận đơn", "en": "Tracking number"},
    "shipments.booked_at": {"vi": "Đặt lúc", "en": "Booked"},
    "shipments.promised": {"vi": "Hẹn giao", "en": "Promised by"},
    "shipments.delivered_at": {"vi": "Giao lúc", "en": "Delivered"},
    "shipments.none": {"vi": "Chưa có vận đơn nào.", "en": "No shipments yet."},
    "shipments.detail_title": {"vi": "Vận đơn {code}", "en": "Shipment {code}"},
    "shipments.public_page": {"vi": "trang theo dõi công khai", "en": "public tracking page"},
    "shipments.weight": {"vi": "Cân nặng", "en": "Weight"},
    "shipments.grams": {"vi": "{grams} g", "en": "{grams} g"},
    "shipments.fee": {"vi": "Phí vận chuyển", "en": "Carrier fee"},
    "shipments.cod": {"vi": "Thu hộ (COD)", "en": "Cash on delivery"},
    "shipments.why": {"vi": "Vì sao chọn hãng này", "en": "Why this carrier"},
    "shipments.history": {"vi": "Hành trình", "en": "Status history"},
    "shipments.no_history": {"vi": "Hãng chưa báo trạng thái nào.", "en": "No status yet."},
    **{
        f"shipments.carrier_status.{status}": {"vi": vi, "en": en}
        for status, (vi, en) in _CARRIER_STATUSES.items()
    },
    # tickets
    "tickets.noun": {"vi": "yêu cầu hỗ trợ", "en": "ticket"},
    "tickets.title": {"vi": "Yêu cầu hỗ trợ", "en": "Tickets"},
    "tickets.filters": {"vi": "Xem theo", "en": "Show"},
    "tickets.view.open": {"vi": "Đang mở", "en": "Open"},
    "tickets.view.breached": {"vi": "Quá hạn", "en": "Breached"},
    "tickets.view.resolved": {"vi": "Đã xử lý", "en": "Resolved"},
    "tickets.view.all": {"vi": "Tất cả", "en": "All"},
    "tickets.state": {"vi": "Trạng thái", "en": "State"},
    "tickets.none": {"vi": "Không có yêu cầu nào.", "en": "No tickets here."},
    "tickets.countdown.left": {
        "vi": "còn {hours} giờ {minutes} phút",
        "en": "{hours} h {minutes} min left",
    },
    "tickets.countdown.overdue": {
        "vi": "quá hạn {hours} giờ {minutes} phút",
        "en": "{hours} h {minutes} min overdue",
    },
    "tickets.detail_title": {"vi": "Yêu cầu {number}", "en": "Ticket {number}"},
    "tickets.source": {"vi": "Nguồn", "en": "Source"},
    "tickets.source.customer": {"vi": "Khách gửi", "en": "From the customer"},
    "tickets.source.survey": {"vi": "Từ khảo sát", "en": "From a survey"},
    "tickets.source.staff": {"vi": "Nhân viên mở", "en": "Opened by staff"},
    "tickets.stage": {"vi": "Khâu gặp lỗi", "en": "Stage that failed"},
    **{f"tickets.stage.{stage}": {"vi": vi, "en": en} for stage, (vi, en) in _STAGES.items()},
    "tickets.opened": {"vi": "Mở lúc", "en": "Opened"},
    "tickets.resolved_at": {"vi": "Xử lý lúc", "en": "Resolved"},
    "tickets.body": {"vi": "Nội dung", "en": "Description"},
    "tickets.history": {"vi": "Diễn biến", "en": "History"},
    "tickets.note.note": {"vi": "Ghi chú", "en": "Note"},
    "tickets.note.resolution": {"vi": "Cách xử lý", "en": "Resolution"},
    "tickets.note.reopen": {"vi": "Mở lại", "en": "Reopened"},
    "tickets.resolve_title": {"vi": "Xử lý yêu cầu", "en": "Resolve the ticket"},
    "tickets.resolution": {"vi": "Đã xử lý thế nào", "en": "How it was solved"},
    "tickets.resolve": {"vi": "Đánh dấu đã xử lý", "en": "Resolve"},
    "tickets.error.resolution": {
        "vi": "Đã xử lý thế nào: hãy viết cách đã giải quyết cho khách.",
        "en": "How it was solved: write what was done for the customer.",
    },
    "tickets.error.not_open": {
        "vi": "Yêu cầu này đã được xử lý rồi nên không có gì thay đổi.",
        "en": "This ticket is already resolved, so nothing changed.",
    },
    # customers
    "customers.noun": {"vi": "khách hàng", "en": "customer"},
    "customers.title": {"vi": "Khách hàng", "en": "Customers"},
    "customers.search": {"vi": "Tìm theo tên hoặc số điện thoại", "en": "Search by name or phone"},
    "customers.search_hint": {"vi": "vd. Lan hoặc 0912 345", "en": "e.g. Lan or 0912 345"},
    "customers.search_submit": {"vi": "Tìm", "en": "Search"},
    "customers.name": {"vi": "Tên", "en": "Name"},
    "customers.phone": {"vi": "Điện thoại", "en": "Phone"},
    "customers.email": {"vi": "E-mail", "en": "E-mail"},
    "customers.tier": {"vi": "Hạng", "en": "Tier"},
    "customers.none": {"vi": "Không tìm thấy khách hàng nào.", "en": "No customer found."},
    "customers.blocked": {"vi": "Bị chặn", "en": "Blocked"},
    "customers.credit_hold": {"vi": "Tạm giữ công nợ", "en": "Credit hold"},
    "customers.orders": {"vi": "Số đơn", "en": "Orders"},
    "customers.timeline": {
        "vi": "Mọi tương tác, mới nhất trước",
        "en": "Everything that happened, newest first",
    },
    "customers.tl.order": {"vi": "Đặt đơn", "en": "Order"},
    "customers.tl.email": {"vi": "E-mail gửi đi", "en": "E-mail sent"},
    "customers.tl.sms": {"vi": "SMS gửi đi", "en": "SMS sent"},
    "customers.tl.ticket_opened": {"vi": "Mở yêu cầu hỗ trợ", "en": "Ticket opened"},
    "customers.tl.ticket_resolved": {"vi": "Đã xử lý yêu cầu", "en": "Ticket resolved"},
    "customers.tl.survey": {
        "vi": "Trả lời khảo sát: {score}/10",
        "en": "Survey answer: {score}/10",
    },
    "customers.message_state.queued": {"vi": "đang chờ gửi", "en": "waiting to be sent"},
    "customers.message_state.sent": {"vi": "đã gửi", "en": "sent"},
    "customers.message_state.failed": {"vi": "gửi lỗi", "en": "failed"},
    "customers.nps.promoter": {"vi": "Hài lòng", "en": "Promoter"},
    "customers.nps.passive": {"vi": "Trung lập", "en": "Passive"},
    "customers.nps.detractor": {"vi": "Không hài lòng", "en": "Detractor"},
    "customers.no_history": {"vi": "Chưa có tương tác nào.", "en": "Nothing yet."},
    # public tracking page
    "track.title": {"vi": "Đơn hàng {number}", "en": "Order {number}"},
    "track.missing_title": {"vi": "Không tìm thấy đơn hàng", "en": "Order not found"},
    "track.not_found": {
        "vi": "Không có đơn hàng hay vận đơn nào mang mã này. Hãy kiểm tra lại đường dẫn trong"
        " e-mail hoặc tin nhắn của bạn.",
        "en": "No order or parcel has this code. Check the link in your e-mail or text message.",
    },
    "track.recipient": {"vi": "Người nhận", "en": "Recipient"},
    "track.phone": {"vi": "Điện thoại", "en": "Phone"},
    "track.destination": {"vi": "Giao đến", "en": "Delivering to"},
    "track.expected": {"vi": "Dự kiến giao", "en": "Expected delivery"},
    "track.parcel": {"vi": "Kiện hàng {code}", "en": "Parcel {code}"},
    "track.delivered_at": {"vi": "Đã giao lúc {time}", "en": "Delivered at {time}"},
    "track.expected_on": {"vi": "Dự kiến giao ngày {date}", "en": "Expected on {date}"},
    "track.not_shipped": {
        "vi": "Đơn hàng đang được chuẩn bị, chưa giao cho hãng vận chuyển.",
        "en": "The order is being prepared and has not been handed to a carrier yet.",
    },
    # public survey
    "survey.title": {"vi": "Bạn thấy chúng tôi thế nào?", "en": "How did we do?"},
    "survey.missing_title": {"vi": "Không tìm thấy khảo sát", "en": "Survey not found"},
    "survey.not_found": {
        "vi": "Đường dẫn khảo sát này không đúng. Hãy mở lại đường dẫn trong e-mail.",
        "en": "This survey link is not right. Open the link in the e-mail again.",
    },
    "survey.question": {
        "vi": "Bạn có sẵn lòng giới thiệu cửa hàng cho bạn bè không? (0–10)",
        "en": "How likely are you to recommend us to a friend? (0–10)",
    },
    "survey.scale": {
        "vi": "0 = chắc chắn không, 10 = chắc chắn có",
        "en": "0 = not at all likely, 10 = extremely likely",
    },
    "survey.comment": {"vi": "Góp ý thêm (không bắt buộc)", "en": "Anything to add? (optional)"},
    "survey.submit": {"vi": "Gửi đánh giá", "en": "Send"},
    "survey.thanks.title": {"vi": "Cảm ơn bạn!", "en": "Thank you!"},
    "survey.thanks.body": {
        "vi": "Chúng tôi đã nhận điểm {score}/10 của bạn. Nếu có gì chưa tốt, nhân viên sẽ"
        " liên hệ với bạn.",
        "en": "We received your {score}/10. If something went wrong, our staff will contact you.",
    },
    "survey.already": {
        "vi": "Khảo sát này đã được trả lời lúc {when}. Cảm ơn bạn!",
        "en": "This survey was already answered at {when}. Thank you!",
    },
    "survey.error.score": {
        "vi": "Điểm: hãy chọn một số từ 0 đến 10.",
        "en": "Score: choose a number from 0 to 10.",
    },
    "survey.error.comment": {
        "vi": "Góp ý: hãy viết ngắn hơn 2000 ký tự.",
        "en": "Comment: keep it under 2000 characters.",
    },
    "survey.error.form": {
        "vi": "Biểu mẫu đã cũ hoặc không đến từ trang này nên chưa lưu gì. Hãy gửi lại.",
        "en": "The form was out of date or not from this site, so nothing was saved."
        " Please send it again.",
    },
}
