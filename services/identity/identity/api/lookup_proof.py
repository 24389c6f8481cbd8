"""HTTP for lookup proofs (anonymous): ``POST /lookup-proof`` and ``/lookup-proof/verify``.

A blueprint of its own so that the rest of identity's API stays as it is; see
:mod:`identity.lookup_proof` for the rules.
"""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from identity import lookup_proof
from identity.api.schemas import VerifySchema
from identity.domain.cccd import MSG_LENGTH, normalise_cccd

blp = Blueprint("lookup_proof", __name__,
                description="Xác minh chính chủ trước khi tra cứu hồ sơ theo số CCCD")


def _twelve_digits(value: str) -> None:
    cccd = normalise_cccd(value)
    if len(cccd) != 12 or not cccd.isascii() or not cccd.isdigit():
        raise ValidationError(MSG_LENGTH)


class LookupProofStartSchema(Schema):
    cccd = fields.String(required=True, validate=[validate.Length(max=32), _twelve_digits],
                         metadata={"example": "001090012345"})


class LookupProofChallengeSchema(Schema):
    challenge_id = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})
    message = fields.String(required=True)


class LookupProofSchema(Schema):
    proof_token = fields.String(required=True, metadata={
        "description": "gửi kèm GET /api/tracking/lookup?cccd= trong tiêu đề X-Lookup-Proof"})
    token_type = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "giây"})
    header = fields.String(required=True)


@blp.route("/lookup-proof")
class LookupProofStart(MethodView):
    @blp.arguments(LookupProofStartSchema)
    @blp.response(202, LookupProofChallengeSchema)
    @blp.alt_response(429, response="DEFAULT_ERROR")
    def post(self, body):
        """Gửi mã xác minh tới điện thoại/email đã đăng ký với số CCCD (để tra cứu hồ sơ)

        Câu trả lời như nhau dù số CCCD có tài khoản hay không.
        """
        return lookup_proof.start(current_app.extensions["identity"],
                                  lookup_proof.StartLookupProof(**body, ip=request.remote_addr))


@blp.route("/lookup-proof/verify")
class LookupProofVerify(MethodView):
    @blp.arguments(VerifySchema)
    @blp.response(200, LookupProofSchema)
    @blp.alt_response(400, response="DEFAULT_ERROR")
    @blp.alt_response(429, response="DEFAULT_ERROR")
    def post(self, body):
        """Đổi mã xác minh lấy mã chứng minh tra cứu (hiệu lực 10 phút, chỉ cho số CCCD đó)"""
        return lookup_proof.verify(current_app.extensions["identity"],
                                   lookup_proof.VerifyLookupProof(**body))
