"""Settings from the environment, with an SQLite file in an instance folder as the default."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_instance_path() -> Path:
    return Path(os.environ.get("SCHEDULER_INSTANCE_PATH", Path.cwd() / "instance"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    instance_path: Path
    timezone: str = "Asia/Shanghai"
    celery_broker_url: str | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_from: str = "noreply@localhost"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        instance = Path(env.get("SCHEDULER_INSTANCE_PATH") or default_instance_path())
        url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'scheduler.sqlite'}"
        return cls(
            database_url=url,
            instance_path=instance,
            timezone=env.get("SCHEDULER_TIMEZONE", "Asia/Shanghai"),
            celery_broker_url=env.get("CELERY_BROKER_URL") or None,
            smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
            smtp_port=int(env.get("SMTP_PORT", "25")),
            smtp_from=env.get("SMTP_FROM", "noreply@localhost"),
        )

    def ensure_instance(self) -> None:
        if self.database_url.startswith("sqlite:///"):
            Path(self.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.instance_path.mkdir(parents=True, exist_ok=True)
