"""Skills views: thin wrappers over `scheduler.skills.admin` with the acting user passed in."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from scheduler.skills import admin as service
from web.access import acting_user, roles_required
from web.checks import attach, fields_with_errors, summary
from web.dates import now
from web.db import db
from web.labels import forget_skills
from web.labels import skill as skill_name
from web.skills import bp
from web.skills.forms import RenameForm, SkillForm


def _problems(form, found) -> list:
    return summary(form, attach(form, found, fields_with_errors(form)))


@bp.route("/", methods=["GET", "POST"])
@roles_required("coordinator")
def index():
    """The vocabulary, and the form that adds a skill (any coordinator)."""
    user = acting_user()
    form = SkillForm()
    problems: list = []
    if request.method == "POST":
        form.validate()
        data = service.SkillInput(code=form.code.data, name_zh=form.name_zh.data, name_en=form.name_en.data)
        found = service.check_new_skill(db(), data)
        if not form.errors and not found:
            skill = service.add_skill(db(), user, data, now())
            db().commit()
            forget_skills()
            flash(_("The skill %(name)s has been added.", name=skill_name(skill.code)), "success")
            return redirect(url_for("skills.index"))
        problems = _problems(form, found)
    return render_template("skills/index.html", form=form, problems=problems,
                           skills=service.list_skills(db(), user), may_rename=service.may_rename(user))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@roles_required("coordinator")
def edit(code: str):
    """Renaming a skill: city-wide coordinators only, since every district reads the names."""
    user = acting_user()
    skill = service.get_skill(db(), user, code)
    if not service.may_rename(user):
        abort(403)
    form = RenameForm(obj=skill)
    problems: list = []
    if request.method == "POST":
        form.validate()
        data = service.SkillInput(name_zh=form.name_zh.data, name_en=form.name_en.data)
        found = service.check_rename(db(), skill.code, data)
        if not form.errors and not found:
            service.rename_skill(db(), user, skill.code, data, now())
            db().commit()
            forget_skills()
            flash(_("The changes have been saved."), "success")
            return redirect(url_for("skills.index"))
        problems = _problems(form, found)
    return render_template("skills/edit.html", form=form, skill=skill, problems=problems)
