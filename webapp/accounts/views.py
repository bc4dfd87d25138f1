"""Sign-up, log in and log out."""

from flask import Blueprint, redirect, render_template, url_for
from flask_login import logout_user
from werkzeug.wrappers import Response

blueprint = Blueprint("accounts", __name__)


@blueprint.route("/inscription", methods=["GET", "POST"])
def signup() -> str:
    return render_template("accounts/signup.html")


@blueprint.route("/connexion", methods=["GET", "POST"])
def login() -> str:
    return render_template("accounts/login.html")


@blueprint.post("/deconnexion")
def logout() -> Response:
    logout_user()
    return redirect(url_for("public.show_home"))
