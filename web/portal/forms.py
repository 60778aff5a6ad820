"""Forms of the portal: the coordinators' catalogue and referral editors (CSRF checked)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from scheduler.portal.catalogue import ProductData
from scheduler.portal.referrals import ReferralData

CODE_HELP = _l("Lower-case letters, digits and hyphens, e.g. legal-aid.")


class ProductForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), Regexp(r"^[a-z0-9][a-z0-9-]*$",
                                                                                      message=CODE_HELP)])
    name_zh = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=128)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=128)])
    provider_zh = StringField(_l("Provided by (Chinese)"), validators=[Optional(), Length(max=256)])
    provider_en = StringField(_l("Provided by (English)"), validators=[Optional(), Length(max=256)])
    where_when_zh = TextAreaField(_l("Where and when (Chinese)"), validators=[Optional(), Length(max=2000)])
    where_when_en = TextAreaField(_l("Where and when (English)"), validators=[Optional(), Length(max=2000)])
    bring_zh = TextAreaField(_l("What to bring (Chinese)"), validators=[Optional(), Length(max=2000)])
    bring_en = TextAreaField(_l("What to bring (English)"), validators=[Optional(), Length(max=2000)])
    free = BooleanField(_l("Free of charge"))
    fee_zh = StringField(_l("Fees (Chinese)"), validators=[Optional(), Length(max=256)])
    fee_en = StringField(_l("Fees (English)"), validators=[Optional(), Length(max=256)])
    sort_order = IntegerField(_l("Order"), default=100, validators=[Optional(), NumberRange(0, 9999)])
    submit = SubmitField(_l("Save"))

    def data_(self) -> ProductData:
        return ProductData(
            code=self.code.data.strip(), name_zh=self.name_zh.data.strip(), name_en=(self.name_en.data or "").strip(),
            provider_zh=self.provider_zh.data or "", provider_en=self.provider_en.data or "",
            where_when_zh=self.where_when_zh.data or "", where_when_en=self.where_when_en.data or "",
            bring_zh=self.bring_zh.data or "", bring_en=self.bring_en.data or "", free=bool(self.free.data),
            fee_zh=self.fee_zh.data or "", fee_en=self.fee_en.data or "",
            sort_order=self.sort_order.data if self.sort_order.data is not None else 100)

    def fill(self, data: ProductData) -> None:
        for name, value in vars(data).items():
            self[name].data = value


class ReferralForm(FlaskForm):
    district_id = SelectField(_l("District"), coerce=str, validators=[Optional()])
    name_zh = StringField(_l("Department (Chinese)"), validators=[DataRequired(), Length(max=128)])
    name_en = StringField(_l("Department (English)"), validators=[Optional(), Length(max=128)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=256)])
    contact = StringField(_l("Contact"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Office phone"), validators=[Optional(), Length(max=32)])
    handles_zh = TextAreaField(_l("What they handle (Chinese)"), validators=[Optional(), Length(max=2000)])
    handles_en = TextAreaField(_l("What they handle (English)"), validators=[Optional(), Length(max=2000)])
    submit = SubmitField(_l("Save"))

    def set_districts(self, districts, city_wide: bool) -> None:
        options = [(str(d.id), d.name) for d in districts]
        self.district_id.choices = ([("", str(_l("Whole city")))] if city_wide else []) + options

    def data_(self) -> ReferralData:
        district = self.district_id.data
        return ReferralData(
            district_id=int(district) if district and district.isdecimal() else None,
            name_zh=self.name_zh.data.strip(), name_en=(self.name_en.data or "").strip(),
            address=self.address.data or "", contact=self.contact.data or "", phone=self.phone.data or "",
            handles_zh=self.handles_zh.data or "", handles_en=self.handles_en.data or "")

    def fill(self, data: ReferralData) -> None:
        for name, value in vars(data).items():
            self[name].data = "" if name == "district_id" and value is None else \
                str(value) if name == "district_id" else value


PHONE_CHARS = Regexp(r"^[0-9+\- ()]*$", message=_l("Digits, spaces, +, - and brackets only."))


class NumbersForm(FlaskForm):
    hotline = StringField(_l("Public legal service hotline"), description=_l("Empty: 12348."),
                          validators=[Optional(), Length(max=32), PHONE_CHARS])
    complaint_phone = StringField(_l("Complaints and supervision"), description=_l("Empty: the city's number."),
                                  validators=[Optional(), Length(max=32), PHONE_CHARS])
    submit = SubmitField(_l("Save"))
