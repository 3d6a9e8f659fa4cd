"""The bring-up thread of `talent dev up`: readiness, demo data, dev.json, the banner.

It runs beside the supervisor's loop (which owns the main thread and the signals); on any
failure it says why and sends this process SIGTERM, which makes the supervisor stop every
process.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

import httpx

from talent_cli import demo
from talent_cli.demo import scenes
from talent_cli.dev.model import DevError, Stack
from talent_cli.seeding import SeedError, seed
from talent_cli.tokens import (
    PrincipalNotFound,
    SignIns,
    count_employees,
    demo_tokens,
    pick_demo_people,
)
from talent_devtools.broker import BrokerError, wait_until_ready


def bring_up(stack: Stack) -> None:
    # Started just before the supervisor's loop, which forks its process runners first
    # thing: stay idle meanwhile, so no lock of this thread is held in a forked child.
    if stack.shutdown.wait(0.5):
        return
    try:
        _wait_until_ready(stack)
        if stack.shutdown.is_set():
            return
        stack.say(f"everything answers after {time.perf_counter() - stack.started:.1f} s")
        seeded = _seed_if_empty(stack)
        if stack.shutdown.is_set():
            return
        info = _dev_info(stack)
        if seeded and info["tokens"]:
            info["demo"] = _play_scenes(stack, info)
            if stack.shutdown.is_set():
                return
        stack.options.state.write_dev_info(info)
        _banner(stack, info)
    except Exception as exc:  # any failure stops the stack with its reason
        if stack.shutdown.is_set():
            return
        known = isinstance(exc, (DevError, SeedError, PrincipalNotFound, scenes.SceneError))
        stack.failure = str(exc) if known else f"{type(exc).__name__}: {exc}"
        stack.say(f"error: {stack.failure}")
        stack.say("stopping every process")
        # The supervisor handles SIGTERM in the main thread: it stops every process.
        os.kill(os.getpid(), signal.SIGTERM)


def _wait_until_ready(stack: Stack) -> None:
    checks: dict[str, Callable[[], bool]] = {"broker": lambda: _broker_answers(stack.broker)}
    if stack.issuer_url is not None:
        checks["OIDC issuer"] = _http_ok(f"{stack.issuer_url}/.well-known/openid-configuration")
    if stack.runs_mail_catcher:
        checks["mail catcher"] = _http_ok(f"{stack.mail_web_url}/api/healthz")
    for service in stack.services:
        checks[f"{service.spec.name} API"] = _http_ok(f"{service.base_url}/readyz")
        checks[f"{service.spec.name} worker"] = _http_ok(
            f"http://127.0.0.1:{service.worker_metrics_port}/healthz"
        )
    checks["gateway"] = _http_ok(f"{stack.gateway_url}/readiness")
    deadline = time.monotonic() + stack.options.ready_timeout
    pending = dict(checks)
    while pending:
        if stack.shutdown.is_set():
            return
        for name, check in list(pending.items()):
            if check():
                stack.say(f"{name} is ready ({time.perf_counter() - stack.started:.1f} s)")
                del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise DevError(
                f"not ready after {stack.options.ready_timeout:.0f} s: {', '.join(pending)}"
            )
        time.sleep(0.25)


def _http_ok(url: str) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    return check


def _broker_answers(bootstrap: str) -> bool:
    try:
        wait_until_ready(bootstrap, timeout=0.5)
    except BrokerError:
        return False
    return True


def _urls(stack: Stack) -> dict[str, str]:
    return {s.spec.name: s.database_url for s in stack.services}


def _seed_if_empty(stack: Stack) -> bool:
    """Seed the demo organisation into empty databases; True when it did."""
    urls = _urls(stack)
    if stack.options.no_seed:
        stack.say("not seeding (--no-seed)")
        return False
    if "people" not in urls:
        stack.say("not seeding: the people service is not part of this stack")
        return False
    existing = count_employees(urls["people"])
    if existing:
        stack.say(f"not seeding: the people database already holds {existing} employees")
        return False
    started = time.perf_counter()
    organisation = demo.generate(employees=stack.options.employees, seed=stack.options.seed)
    stack.say(
        f"seeding a demo organisation of {stack.options.employees} employees "
        f"(seed {stack.options.seed}; generated in {time.perf_counter() - started:.1f} s)"
    )

    def say(message: str) -> None:
        if stack.shutdown.is_set():
            raise DevError("stopping")
        stack.say(message)

    report = seed(organisation, urls, say=say)
    stack.say(f"seeded in {report.seconds:.1f} s")
    return True


def _play_scenes(stack: Stack, info: dict[str, Any]) -> dict[str, Any]:
    """The just seeded organisation at work (talent_cli.demo.scenes), through the
    gateway with the demo tokens; returns what they made, for dev.json and the banner."""
    started = time.perf_counter()

    def say(message: str) -> None:
        if stack.shutdown.is_set():
            raise DevError("stopping")
        stack.say(message)

    accounts = SignIns(secret=stack.jwt_secret, issuer=stack.issuer_url, identity=stack.identity)
    try:
        cast = scenes.Cast(tokens=info["tokens"], people=info["people"], accounts=accounts)
        outcome = scenes.play(
            info["gateway"],
            cast,
            seed=stack.options.seed,
            services={s.spec.name for s in stack.services},
            say=say,
        )
    finally:
        accounts.close()
    stack.say(f"demo scenes played in {time.perf_counter() - started:.1f} s")
    return {**outcome.info, "summary": outcome.lines}


def _dev_info(stack: Stack) -> dict[str, Any]:
    urls = _urls(stack)
    tokens: dict[str, str] = {}
    people: dict[str, Any] = {}
    if "people" in urls and count_employees(urls["people"]):
        chosen = pick_demo_people(urls["people"], urls.get("learning"))
        tokens = demo_tokens(
            chosen, secret=stack.jwt_secret, issuer=stack.issuer_url, identity=stack.identity
        )
        people = {
            role: {
                "employee_id": str(p.employee_id),
                "employee_number": p.employee_number,
                "name": p.name,
                **({"org_units": list(p.org_units)} if p.org_units else {}),
            }
            for role, p in chosen.items()
        }
    return {
        "gateway": f"{stack.gateway_url}/graphql",
        "issuer": stack.issuer_url,
        "tokens": tokens,
        "people": people,
        "services": {
            s.spec.name: {
                "url": f"{s.base_url}/graphql",
                "metrics": f"{s.base_url}/metrics",
                "worker_metrics": f"http://127.0.0.1:{s.worker_metrics_port}/metrics",
                "database_url": s.database_url,
            }
            for s in stack.services
        },
        "broker": stack.broker,
        "gateway_secret": stack.gateway_secret,
        "mail": (
            {
                "smtp": stack.mail_smtp,
                "web": stack.mail_web_url,
                "api": f"{stack.mail_web_url}/api/email",
            }
            if stack.runs_mail_catcher
            else None
        ),
    }


def _banner(stack: Stack, info: dict[str, Any]) -> None:
    rule = "=" * 72
    lines = [
        rule,
        f"Talent is up ({time.perf_counter() - stack.started:.1f} s). Gateway: {info['gateway']}",
        "",
    ]
    tokens: dict[str, str] = info["tokens"]
    if tokens:
        lines.append("Demo tokens (Authorization: Bearer <token>):")
        for role, token in tokens.items():
            person = info["people"][role]
            scope = f", org units {', '.join(person['org_units'])}" if "org_units" in person else ""
            lines.append(
                f"  {role} - {person['name']} ({person['employee_number']}, "
                f"{person['employee_id']}{scope}):"
            )
            lines.append(f"    {token}")
    else:
        lines.append(
            "No demo tokens (the people database is empty): mint one with "
            "`talent token --role ROLE --employee-id UUID`."
        )
    summary: list[str] = info.get("demo", {}).get("summary", [])
    if summary:
        lines += ["", "The demo organisation at work (README.md, 'What the demo shows'):"]
        lines += [f"  {line}" for line in summary]
    if stack.issuer_url is not None:
        lines += [
            "",
            f"Tokens come from the OpenID Connect issuer at {stack.issuer_url} and last 8 hours;",
            "`talent token --role ROLE --employee-id UUID` signs in anyone else.",
        ]
    if info.get("mail"):
        lines += [
            "",
            f"Email the notifier sends is caught at {info['mail']['web']} (web UI; HTTP API "
            f"{info['mail']['api']}).",
        ]
    lines += [
        "",
        f"Everything above is also in {stack.options.state.dev_json_path}.",
        "Press Ctrl-C to stop.",
        rule,
    ]
    for line in lines:
        stack.say(line)
