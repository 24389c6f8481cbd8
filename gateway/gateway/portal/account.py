"""Accounts: register with an OTP, sign in with an OTP or an authenticator code (TOTP),
profile and autofill consent, notifications inbox, sign out."""
from __future__ import annotations

import contextlib

from flask import current_app, flash, redirect, request, session, url_for

from gateway.portal import client
from gateway.portal.forms import FormErrors, from_service, required
from gateway.portal.session import remember_name, sign_in, sign_out
from gateway.portal.web import home_url, login_required, portal, render, safe_next
from servicekit.auth import InvalidToken

REGISTER_FIELDS = ("cccd", "full_name", "date_of_birth", "phone", "email", "password",
                   "password_confirm", "channel")
CHANNEL_NAMES = {"sms": "tin nhắn SMS tới số điện thoại", "email": "thư điện tử"}
METHOD_HINTS = {
    "sms": "Chúng tôi vừa gửi mã xác thực gồm 6 chữ số qua tin nhắn SMS tới số điện thoại "
           "của bạn.",
    "email": "Chúng tôi vừa gửi mã xác thực gồm 6 chữ số tới hộp thư điện tử của bạn.",
    "totp": "Mở ứng dụng xác thực trên điện thoại (ví dụ Google Authenticator) và nhập mã "
            "6 chữ số đang hiển thị cho tài khoản motcua.",
    "totp_enrolment": "Tài khoản cán bộ cần ứng dụng xác thực. Quét mã QR dưới đây bằng ứng "
                      "dụng xác thực trên điện thoại (hoặc nhập khóa bí mật), rồi nhập mã 6 "
                      "chữ số ứng dụng hiển thị.",
}


# -- registration ------------------------------------------------------------------------------

@portal.route("/dang-ky", methods=["GET", "POST"])
def register():
    form = {name: request.form.get(name, "") for name in REGISTER_FIELDS}
    form["channel"] = form["channel"] or "sms"
    if request.method == "GET":
        return render("portal/register.html", form=form)
    errors = required(form, {"cccd": "số định danh cá nhân (CCCD)", "full_name": "họ và tên",
                             "date_of_birth": "ngày sinh", "phone": "số điện thoại",
                             "email": "địa chỉ thư điện tử", "password": "mật khẩu"})
    if form["password"] and form["password"] != form["password_confirm"]:
        errors.add("password_confirm", "Mật khẩu nhập lại chưa khớp với mật khẩu.")
    if not errors:
        body = {k: form[k].strip() if k != "password" else form[k]
                for k in ("cccd", "full_name", "date_of_birth", "phone", "email", "password",
                          "channel")}
        reply = client.call("identity", "POST", "/register", auth=False, json=body)
        if reply.ok:
            session["pending_registration"] = {"challenge_id": reply.body["challenge_id"],
                                               "channel": reply.body["channel"]}
            return redirect(url_for("portal.register_verify"))
        errors = from_service(reply.errors, reply.message,
                              lambda key: key if key in REGISTER_FIELDS else None)
    return render("portal/register.html", form=form, errors=errors), 422


@portal.route("/dang-ky/xac-nhan", methods=["GET", "POST"])
def register_verify():
    pending = session.get("pending_registration")
    if not pending:
        return redirect(url_for("portal.register"))
    hint = METHOD_HINTS[pending["channel"]]
    if request.method == "GET":
        return render("portal/register_verify.html", hint=hint)
    code = (request.form.get("code") or "").strip()
    errors = required({"code": code}, {"code": "mã xác thực"})
    if not errors:
        reply = client.call("identity", "POST", "/register/verify", auth=False,
                            json={"challenge_id": pending["challenge_id"], "code": code})
        if reply.ok:
            session.pop("pending_registration", None)
            flash("Đăng ký tài khoản thành công. Mời bạn đăng nhập.", "success")
            return redirect(url_for("portal.login"))
        errors = from_service(reply.errors, reply.message, lambda key: "code")
    return render("portal/register_verify.html", hint=hint, errors=errors), 422


# purpose field of the resend form: (session key of the pending challenge, page to go back to)
RESEND_TARGETS = {
    "register": ("pending_registration", "portal.register_verify"),
    "login": ("pending_login", "portal.login_verify"),
    "contact": ("pending_contact", "portal.profile"),
}


@portal.route("/gui-lai-ma", methods=["POST"])
def resend_code():
    key, target = RESEND_TARGETS.get(request.form.get("purpose", ""), RESEND_TARGETS["login"])
    pending = session.get(key)
    if not pending:
        return redirect(url_for("portal.login"))
    reply = client.call("identity", "POST", "/otp/resend", auth=False,
                        json={"challenge_id": pending["challenge_id"]})
    if reply.ok:
        flash("Đã gửi lại mã xác thực. Mã cũ không còn dùng được.", "success")
    else:
        flash(reply.message, "error")
    return redirect(url_for(target))


# -- sign in -------------------------------------------------------------------------------

@portal.route("/dang-nhap", methods=["GET", "POST"])
def login():
    next_url = safe_next(request.values.get("next"))
    form = {"username": request.form.get("username", "")}
    if request.method == "GET":
        return render("portal/login.html", form=form, next_url=next_url)
    password = request.form.get("password", "")
    errors = required({**form, "password": password},
                      {"username": "số CCCD, số điện thoại hoặc email",
                       "password": "mật khẩu"})
    if not errors:
        reply = client.call("identity", "POST", "/login", auth=False,
                            json={"username": form["username"].strip(), "password": password})
        if reply.ok:
            body = reply.body
            session["pending_login"] = {"challenge_id": body["challenge_id"],
                                        "method": body["method"], "next": next_url}
            if body["method"] == "totp_enrolment":
                totp = body.get("totp") or {}
                session["pending_login"]["secret"] = totp.get("secret")
                return render("portal/login_verify.html", method=body["method"],
                              hint=METHOD_HINTS[body["method"]], totp=totp)
            return redirect(url_for("portal.login_verify"))
        errors = from_service(reply.errors, reply.message,
                              lambda key: key if key in ("username", "password") else None)
    return render("portal/login.html", form=form, next_url=next_url, errors=errors), 422


@portal.route("/dang-nhap/xac-thuc", methods=["GET", "POST"])
def login_verify():
    pending = session.get("pending_login")
    if not pending:
        return redirect(url_for("portal.login"))
    method = pending["method"]
    totp = {"secret": pending.get("secret")} if method == "totp_enrolment" else None
    page = {"method": method, "hint": METHOD_HINTS.get(method, ""), "totp": totp}
    if request.method == "GET":
        return render("portal/login_verify.html", **page)
    code = "".join((request.form.get("code") or "").split())
    errors = required({"code": code}, {"code": "mã xác thực"})
    if not errors:
        reply = client.call("identity", "POST", "/login/verify", auth=False,
                            json={"challenge_id": pending["challenge_id"], "code": code})
        if reply.ok:
            return _signed_in(reply.body, pending.get("next"))
        errors = from_service(reply.errors, reply.message, lambda key: "code")
    return render("portal/login_verify.html", errors=errors, **page), 422


def _signed_in(tokens: dict, next_url: str | None):
    try:
        claims = current_app.extensions["token_verifier"].verify(tokens["access_token"])
    except InvalidToken as exc:  # identity's keys could not be fetched or do not match
        raise client.ServiceUnavailable("identity") from exc
    sign_in(tokens, claims)
    profile = client.call("identity", "GET", "/me")
    if profile.ok:
        remember_name(profile.body.get("full_name"))
    if tokens.get("recovery_codes"):
        return render("portal/recovery_codes.html", codes=tokens["recovery_codes"],
                      next_url=next_url or home_url())
    flash("Đăng nhập thành công.", "success")
    return redirect(next_url or home_url())


@portal.route("/dang-xuat", methods=["POST"])
def logout():
    refresh = sign_out()
    if refresh:
        # The cookie is gone either way; an unrevoked token still expires on its own.
        with contextlib.suppress(client.ServiceUnavailable):
            client.call("identity", "POST", "/logout", auth=False,
                        json={"refresh_token": refresh})
    flash("Bạn đã đăng xuất.", "success")
    return redirect(url_for("portal.home"))


# -- profile and consent ---------------------------------------------------------------------

@portal.route("/tai-khoan", methods=["GET", "POST"])
@login_required()
def profile():
    """Contact details and OTP channel. A new phone or email is identity's to confirm: it
    sends a code to the new contact (202) and the page asks for it (``contact_verify``)."""
    errors = FormErrors()
    if request.method == "POST":
        session.pop("pending_contact", None)  # a new request replaces a change left waiting
        changes = {k: request.form.get(k, "").strip() for k in ("phone", "email")}
        changes = {k: v for k, v in changes.items() if v}  # unchanged ones are no change
        if request.form.get("otp_channel") in ("sms", "email"):
            changes["otp_channel"] = request.form["otp_channel"]
        if request.form.get("current_password"):  # identity asks for it with a new contact
            changes["current_password"] = request.form["current_password"]
        reply = client.call("identity", "PATCH", "/me", json=changes)
        if reply.status == 202:
            session["pending_contact"] = {k: reply.body.get(k) for k in
                                          ("challenge_id", "channel", "destination", "message")}
            return redirect(url_for("portal.profile") + "#xac-nhan-lien-he")
        if reply.ok:
            flash("Đã lưu thông tin liên hệ.", "success")
            return redirect(url_for("portal.profile"))
        errors = from_service(reply.errors, reply.message,
                              lambda key: key if key in ("phone", "email", "otp_channel",
                                                         "current_password") else None)
    return _profile_page(errors)


def _profile_page(errors: FormErrors):
    me = client.call("identity", "GET", "/me")
    consent = client.call("identity", "GET", "/consents/autofill", auth=False)
    return render("portal/profile.html", me=me.body if me.ok else {}, errors=errors,
                  consent=consent.body if consent.ok else None,
                  pending_contact=session.get("pending_contact")), (422 if errors else 200)


@portal.route("/tai-khoan/xac-nhan-lien-he", methods=["GET", "POST"])
@login_required()
def contact_verify():
    """The code sent to the new phone or email; only then does identity apply it."""
    pending = session.get("pending_contact")
    if request.method == "GET" or not pending:
        return redirect(url_for("portal.profile"))
    code = "".join((request.form.get("code") or "").split())
    errors = required({"code": code}, {"code": "mã xác thực"})
    if not errors:
        reply = client.call("identity", "POST", "/me/contact/verify",
                            json={"challenge_id": pending["challenge_id"], "code": code})
        if reply.ok:
            session.pop("pending_contact", None)
            flash("Đã cập nhật thông tin liên hệ.", "success")
            return redirect(url_for("portal.profile"))
        if reply.status in (409, 429):  # taken meanwhile, or too many tries: start again
            session.pop("pending_contact", None)
            flash(reply.message, "error")
            return redirect(url_for("portal.profile"))
        errors = from_service(reply.errors, reply.message, lambda key: "code")
    return _profile_page(errors)


@portal.route("/tai-khoan/huy-doi-lien-he", methods=["POST"])
@login_required()
def contact_cancel():
    session.pop("pending_contact", None)  # the code left unused simply expires
    flash("Đã huỷ thay đổi thông tin liên hệ.", "info")
    return redirect(url_for("portal.profile"))


@portal.route("/tai-khoan/dong-y", methods=["POST"])
@login_required()
def autofill_consent():
    granted = request.form.get("granted") == "yes"
    if granted and request.form.get("agree") != "yes":
        flash("Hãy đánh dấu ô “Tôi đồng ý” nếu bạn muốn hệ thống tự điền biểu mẫu.", "error")
        return redirect(url_for("portal.profile") + "#dong-y")
    change = {"granted": granted}
    if granted:
        change["text_version"] = request.form.get("text_version", "")
    reply = client.call("identity", "PATCH", "/me", json={"autofill_consent": change})
    if reply.ok:
        flash("Đã ghi nhận bạn đồng ý cho tự động điền biểu mẫu." if granted
              else "Đã thu hồi đồng ý tự động điền biểu mẫu.", "success")
    else:
        flash(reply.message, "error")
    return redirect(url_for("portal.profile") + "#dong-y")


# -- inbox -----------------------------------------------------------------------------------

@portal.route("/thong-bao")
@login_required()
def inbox():
    page = max(request.args.get("page", type=int) or 1, 1)
    reply = client.call("notify", "GET", "/inbox", params={"page": page, "per_page": 20})
    inbox = reply.body if reply.ok else {"items": [], "total": 0, "unread": 0, "pages": 0}
    return render("portal/inbox.html", inbox=inbox, page=page, failed=not reply.ok)


@portal.route("/thong-bao/da-doc", methods=["POST"])
@login_required()
def inbox_read():
    reply = client.call("notify", "PATCH", "/inbox", json={"ids": [], "read": True})
    flash("Đã đánh dấu tất cả thông báo là đã đọc." if reply.ok else reply.message,
          "success" if reply.ok else "error")
    return redirect(url_for("portal.inbox"))


# -- password, personal data (access, deletion) ------------------------------------------------

@portal.route("/tai-khoan/mat-khau", methods=["GET", "POST"])
@login_required()
def change_password():
    errors = FormErrors()
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("current_password", "new_password",
                                                     "new_password_confirm")}
        errors = required(form, {"current_password": "mật khẩu hiện tại",
                                 "new_password": "mật khẩu mới"})
        if form["new_password"] and form["new_password"] != form["new_password_confirm"]:
            errors.add("new_password_confirm", "Mật khẩu nhập lại chưa khớp với mật khẩu mới.")
        if not errors:
            reply = client.call("identity", "POST", "/me/password",
                                json={"current_password": form["current_password"],
                                      "new_password": form["new_password"]})
            if reply.ok:  # identity ended every session, this one too
                sign_out()
                flash("Đã đổi mật khẩu. Mọi phiên đăng nhập đã kết thúc, vui lòng đăng nhập "
                      "lại bằng mật khẩu mới.", "success")
                return redirect(url_for("portal.login"))
            errors = from_service(reply.errors, reply.message,
                                  lambda key: key if key in form else None)
    return render("portal/password.html", errors=errors), (422 if errors else 200)


@portal.route("/tai-khoan/du-lieu.json")
@login_required()
def export_data():
    """Everything identity keeps about the person, as a file (right of access)."""
    reply = client.call("identity", "GET", "/me/export")
    if not reply.ok:
        flash(reply.message, "error")
        return redirect(url_for("portal.profile"))
    return current_app.response_class(
        reply.content, mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=du-lieu-ca-nhan.json",
                 "Cache-Control": "private, no-store"})


@portal.route("/tai-khoan/xoa", methods=["GET", "POST"])
@login_required("citizen")
def delete_account():
    errors = FormErrors()
    if request.method == "POST":
        if request.form.get("confirm") != "yes":
            errors.add("confirm", "Hãy đánh dấu ô xác nhận nếu bạn chắc chắn muốn xoá tài khoản.")
        if not request.form.get("password"):
            errors.add("password", "Vui lòng nhập mật khẩu để xác nhận.")
        if not errors:
            reply = client.call("identity", "DELETE", "/me",
                                json={"password": request.form["password"]})
            if reply.ok:
                sign_out()
                flash("Tài khoản và dữ liệu cá nhân của bạn đã được xoá.", "success")
                return redirect(url_for("portal.home"))
            errors = from_service(reply.errors, reply.message,
                                  lambda key: "password" if key == "password" else None)
    return render("portal/delete_account.html", errors=errors), (422 if errors else 200)
