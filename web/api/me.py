"""Who the token acts for: the one operation every account's token may call."""
from __future__ import annotations

from web.api import bp
from web.api.auth import api_token, api_user
from web.api.schemas import Me, TokenOut
from web.api.spec import operation


def token_out(row) -> TokenOut:
    return TokenOut(id=row.id, name=row.name, prefix=row.prefix, scopes=list(row.scopes), created_at=row.created_at,
                    expires_at=row.expires_at, last_used_at=row.last_used_at)


@bp.get("/me")
@operation(roles=("coordinator", "provider", "village"), scope="read", tag="account", ok=Me)
def me():
    """The token's account: its role and districts, and the token itself (never its secret)."""
    user = api_user()
    return Me(username=user.username, role=user.role, display_name=user.display_name, district_id=user.district_id,
              city_wide=user.city_wide, token=token_out(api_token()))
