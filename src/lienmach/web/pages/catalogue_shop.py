"""Texts of the storefront (shop) pages, in Vietnamese and in English.

Merged into ``catalogue.MESSAGES``; a key may live in one area only.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # frame
    "shop.brand": {"vi": "Cửa hàng Lienmach", "en": "Lienmach Shop"},
    "shop.footer": {
        "vi": "Giá đã gồm VAT, tính bằng đồng. Giờ hiển thị theo giờ Việt Nam (GMT+7).",
        "en": "Prices include VAT, in Vietnamese đồng. Times are Vietnam time (GMT+7).",
    },
    "shop.back": {"vi": "Về trang cửa hàng", "en": "Back to the shop"},
    "shop.nav.label": {"vi": "Tài khoản và giỏ hàng", "en": "Account and cart"},
    "shop.nav.cart": {"vi": "Giỏ hàng ({units})", "en": "Cart ({units})"},
    "shop.nav.orders": {"vi": "Đơn hàng của tôi", "en": "My orders"},
    "shop.nav.login": {"vi": "Đăng nhập", "en": "Log in"},
    "shop.nav.logout": {"vi": "Đăng xuất", "en": "Log out"},
    "shop.nav.register": {"vi": "Đăng ký", "en": "Register"},
    # search and products
    "shop.search.title": {"vi": "Sản phẩm", "en": "Products"},
    "shop.search.label": {"vi": "Tìm sản phẩm", "en": "Search products"},
    "shop.search.placeholder": {
        "vi": "Tìm sản phẩm, có dấu hay không dấu",
        "en": "Search products, with or without diacritics",
    },
    "shop.search.submit": {"vi": "Tìm", "en": "Search"},
    "shop.search.results": {"vi": "Kết quả cho “{query}”", "en": "Results for “{query}”"},
    "shop.search.none": {
        "vi": "Không tìm thấy sản phẩm nào. Hãy thử từ khác.",
        "en": "No product found. Try other words.",
    },
    "shop.price.with_vat": {"vi": "Đã gồm VAT {rate}%", "en": "Including {rate}% VAT"},
    "shop.price.net": {"vi": "Giá chưa VAT {amount}", "en": "{amount} before VAT"},
    "shop.stock.in": {"vi": "Còn hàng", "en": "In stock"},
    "shop.stock.few": {"vi": "Chỉ còn {units} sản phẩm", "en": "Only {units} left"},
    "shop.stock.out": {
        "vi": "Tạm hết hàng — vẫn đặt được, giao khi có hàng",
        "en": "Out of stock — order now, delivered when it arrives",
    },
    "shop.product.noun": {"vi": "Sản phẩm", "en": "The product"},
    "shop.product.sku": {"vi": "Mã sản phẩm", "en": "Product code"},
    "shop.product.warranty": {"vi": "Bảo hành", "en": "Warranty"},
    "shop.product.months": {"vi": "{months} tháng", "en": "{months} months"},
    "shop.not_found.title": {"vi": "Không tìm thấy", "en": "Not found"},
    "shop.not_found.body": {
        "vi": "{what} bạn tìm không có hoặc không thuộc tài khoản của bạn.",
        "en": "{what} you asked for does not exist or is not in your account.",
    },
    # cart
    "shop.cart.title": {"vi": "Giỏ hàng", "en": "Cart"},
    "shop.cart.add": {"vi": "Thêm vào giỏ", "en": "Add to cart"},
    "shop.cart.product": {"vi": "Sản phẩm", "en": "Product"},
    "shop.cart.unit_price": {"vi": "Đơn giá (gồm VAT)", "en": "Unit price (with VAT)"},
    "shop.cart.quantity": {"vi": "Số lượng", "en": "Quantity"},
    "shop.cart.line_total": {"vi": "Thành tiền", "en": "Amount"},
    "shop.cart.update": {"vi": "Cập nhật", "en": "Update"},
    "shop.cart.remove": {"vi": "Xóa", "en": "Remove"},
    "shop.cart.empty": {"vi": "Giỏ hàng đang trống.", "en": "Your cart is empty."},
    "shop.cart.checkout": {"vi": "Đặt hàng", "en": "Check out"},
    "shop.cart.shipping_later": {
        "vi": "Phí vận chuyển được tính ở bước đặt hàng, theo địa chỉ giao.",
        "en": "Shipping is quoted at checkout, from the delivery address.",
    },
    "shop.totals.net": {"vi": "Tiền hàng chưa VAT", "en": "Goods before VAT"},
    "shop.totals.vat": {"vi": "Thuế VAT", "en": "VAT"},
    "shop.totals.goods": {"vi": "Tiền hàng gồm VAT", "en": "Goods including VAT"},
    "shop.totals.shipping": {"vi": "Phí vận chuyển (gồm VAT)", "en": "Shipping (with VAT)"},
    "shop.totals.total": {"vi": "Tổng cộng", "en": "Total"},
    # forms and their errors
    "shop.field.name": {"vi": "Họ và tên", "en": "Full name"},
    "shop.field.email": {"vi": "E-mail", "en": "E-mail"},
    "shop.field.phone": {"vi": "Số điện thoại", "en": "Phone number"},
    "shop.field.province": {"vi": "Tỉnh / thành phố", "en": "Province / city"},
    "shop.field.ward": {"vi": "Phường / xã", "en": "Ward / commune"},
    "shop.field.street": {"vi": "Số nhà, đường", "en": "House number and street"},
    "shop.field.password": {"vi": "Mật khẩu", "en": "Password"},
    "shop.field.note": {"vi": "Ghi chú cho đơn hàng", "en": "Note for the order"},
    "shop.field.choose": {"vi": "— Chọn —", "en": "— Choose —"},
    "shop.error.form": {
        "vi": "Không thực hiện được. Hãy kiểm tra lại thông tin và thử lại.",
        "en": "That did not work. Check the details and try again.",
    },
    "shop.error.name": {"vi": "Hãy nhập họ và tên.", "en": "Give your full name."},
    "shop.error.email": {
        "vi": "E-mail không hợp lệ hoặc đã có tài khoản (hãy đăng nhập).",
        "en": "Not a valid e-mail, or it already has an account (log in instead).",
    },
    "shop.error.phone": {
        "vi": "Số điện thoại Việt Nam không hợp lệ, ví dụ 0912 345 678.",
        "en": "Not a valid Vietnamese phone number, e.g. 0912 345 678.",
    },
    "shop.error.province": {
        "vi": "Hãy chọn tỉnh / thành phố trong danh sách.",
        "en": "Choose the province from the list.",
    },
    "shop.error.ward": {
        "vi": "Không tìm thấy phường / xã này trong tỉnh đã chọn.",
        "en": "This ward is not in the chosen province.",
    },
    "shop.error.street": {
        "vi": "Hãy nhập số nhà và tên đường (tối đa 200 ký tự).",
        "en": "Give the house number and street (at most 200 characters).",
    },
    "shop.error.password": {
        "vi": "Mật khẩu cần từ 10 đến 200 ký tự.",
        "en": "The password needs 10 to 200 characters.",
    },
    "shop.error.product_id": {
        "vi": "Sản phẩm này không còn bán hoặc không có trong giỏ.",
        "en": "This product is not on sale or not in the cart.",
    },
    "shop.error.quantity": {
        "vi": "Số lượng phải là số nguyên từ 1 đến 99 (0 để xóa khi cập nhật).",
        "en": "The quantity must be a whole number from 1 to 99 (0 removes it when updating).",
    },
    "shop.error.cart": {
        "vi": "Giỏ hàng trống hoặc có sản phẩm không còn bán.",
        "en": "The cart is empty or holds a product no longer on sale.",
    },
    "shop.error.service_level": {
        "vi": "Hãy chọn một cách giao hàng trong danh sách.",
        "en": "Choose one of the shipping options shown.",
    },
    "shop.error.payment_method": {
        "vi": "Hãy chọn thanh toán khi nhận hàng hoặc trực tuyến.",
        "en": "Choose cash on delivery or paying online.",
    },
    "shop.error.note": {"vi": "Ghi chú quá dài.", "en": "The note is too long."},
    "shop.error.subject": {
        "vi": "Hãy nhập tiêu đề (tối đa 200 ký tự).",
        "en": "Give a subject (at most 200 characters).",
    },
    "shop.error.body": {
        "vi": "Nội dung quá dài (tối đa 4000 ký tự).",
        "en": "The description is too long (at most 4000 characters).",
    },
    # account
    "shop.register.title": {"vi": "Tạo tài khoản", "en": "Create an account"},
    "shop.register.submit": {"vi": "Đăng ký", "en": "Register"},
    "shop.register.password_hint": {
        "vi": "Ít nhất 10 ký tự; vài từ ghép lại là mật khẩu tốt.",
        "en": "At least 10 characters; a few words together make a good password.",
    },
    "shop.register.have_account": {"vi": "Đã có tài khoản?", "en": "Already have an account?"},
    "shop.register.welcome": {
        "vi": "Chào mừng bạn! Tài khoản đã được tạo và bạn đã đăng nhập.",
        "en": "Welcome! Your account is ready and you are logged in.",
    },
    "shop.login.title": {"vi": "Đăng nhập", "en": "Log in"},
    "shop.login.submit": {"vi": "Đăng nhập", "en": "Log in"},
    "shop.login.no_account": {"vi": "Chưa có tài khoản?", "en": "No account yet?"},
    "shop.login.error.email": {"vi": "Hãy nhập e-mail.", "en": "Give your e-mail."},
    "shop.login.error.password": {"vi": "Hãy nhập mật khẩu.", "en": "Give your password."},
    "shop.login.error.credentials": {
        "vi": "E-mail hoặc mật khẩu không đúng. Hãy kiểm tra cả hai.",
        "en": "The e-mail or the password is wrong. Check both.",
    },
    "shop.login.error.disabled": {
        "vi": "Tài khoản này đã bị khóa. Hãy liên hệ cửa hàng.",
        "en": "This account is disabled. Contact the shop.",
    },
    "shop.login.error.throttled": {
        "vi": "Đăng nhập sai quá nhiều lần. Hãy đợi tối đa 15 phút rồi thử lại.",
        "en": "Too many failed logins. Wait at most 15 minutes, then try again.",
    },
    "shop.login.error.staff": {
        "vi": "Đây là tài khoản nhân viên: hãy đăng nhập ở trang quản trị /app.",
        "en": "This is a staff account: log in to the back office at /app.",
    },
    # checkout and payment
    "shop.checkout.title": {"vi": "Đặt hàng", "en": "Checkout"},
    "shop.checkout.items": {"vi": "Sản phẩm", "en": "Items"},
    "shop.checkout.address": {"vi": "Địa chỉ giao hàng", "en": "Delivery address"},
    "shop.checkout.requote": {
        "vi": "Xem phí giao hàng cho địa chỉ này",
        "en": "Show shipping options for this address",
    },
    "shop.checkout.shipping": {"vi": "Cách giao hàng", "en": "Shipping"},
    "shop.checkout.fee": {"vi": "Phí {fee} (chưa VAT)", "en": "Fee {fee} (before VAT)"},
    "shop.checkout.promised": {"vi": "Giao trước {day}", "en": "Delivered by {day}"},
    "shop.checkout.total": {"vi": "Tổng {total}", "en": "Total {total}"},
    "shop.checkout.no_options": {
        "vi": "Chưa có cách giao nào cho địa chỉ này; hãy chọn tỉnh khác.",
        "en": "No carrier delivers this parcel there; choose another province.",
    },
    "shop.checkout.payment": {"vi": "Thanh toán", "en": "Payment"},
    "shop.checkout.vat_note": {
        "vi": "Phí giao hàng chịu VAT 8%; tổng cộng đã gồm mọi khoản thuế.",
        "en": "Shipping carries 8% VAT; the total includes every tax.",
    },
    "shop.checkout.place": {"vi": "Đặt hàng", "en": "Place the order"},
    "shop.payment.cod": {"vi": "Thanh toán khi nhận hàng (COD)", "en": "Cash on delivery"},
    "shop.payment.prepaid": {"vi": "Thanh toán trực tuyến", "en": "Pay online"},
    "shop.payment.paid": {
        "vi": "Đã nhận thanh toán. Cảm ơn bạn!",
        "en": "Payment received. Thank you!",
    },
    "shop.payment.pending": {
        "vi": "Cổng thanh toán đang xác nhận; trang này sẽ cập nhật khi nhận được.",
        "en": "The gateway is confirming the payment; this page shows it once it arrives.",
    },
    "shop.payment.failed": {
        "vi": "Thanh toán chưa được ghi nhận. Hãy thử lại.",
        "en": "The payment was not recorded. Please try again.",
    },
    "shop.payment.cancelled": {
        "vi": "Bạn đã hủy thanh toán. Bạn có thể thanh toán lại.",
        "en": "You cancelled the payment. You can pay again.",
    },
    # the customer's orders
    "shop.orders.title": {"vi": "Đơn hàng của tôi", "en": "My orders"},
    "shop.orders.none": {"vi": "Bạn chưa có đơn hàng nào.", "en": "You have no orders yet."},
    "shop.orders.number": {"vi": "Mã đơn", "en": "Order"},
    "shop.orders.placed": {"vi": "Ngày đặt", "en": "Placed"},
    "shop.orders.state": {"vi": "Trạng thái", "en": "Status"},
    "shop.order.noun": {"vi": "Đơn hàng", "en": "The order"},
    "shop.order.title": {"vi": "Đơn hàng {number}", "en": "Order {number}"},
    "shop.order.placed": {
        "vi": "Đặt hàng thành công! E-mail xác nhận đã được gửi cho bạn.",
        "en": "Your order is placed! A confirmation e-mail is on its way.",
    },
    "shop.order.promised": {"vi": "Dự kiến giao", "en": "Expected delivery"},
    "shop.order.paid": {"vi": "đã thanh toán", "en": "paid"},
    "shop.order.unpaid": {"vi": "chưa thanh toán", "en": "not paid yet"},
    "shop.order.pay_now": {"vi": "Thanh toán ngay", "en": "Pay now"},
    "shop.order.tracking": {"vi": "Theo dõi đơn hàng", "en": "Tracking"},
    "shop.order.track_link": {"vi": "Xem hành trình đơn hàng", "en": "Follow your order"},
    "shop.order.tracking_code": {"vi": "mã vận đơn {code}", "en": "tracking number {code}"},
    "shop.support.title": {"vi": "Cần hỗ trợ?", "en": "Need help?"},
    "shop.support.subject": {"vi": "Tiêu đề", "en": "Subject"},
    "shop.support.body": {"vi": "Nội dung", "en": "Details"},
    "shop.support.submit": {"vi": "Gửi yêu cầu hỗ trợ", "en": "Send the request"},
    "shop.support.received": {
        "vi": "Đã nhận yêu cầu {number}. Chúng tôi sẽ trả lời trong vòng 24 giờ.",
        "en": "Request {number} received. We will answer within 24 hours.",
    },
}
