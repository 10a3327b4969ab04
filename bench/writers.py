"""Concurrent writers: N signed-in people post answers as fast as they can, each waiting for its answer.

Used by bench/run.py --writers N. Every writer logs in once (one shared seeded password); when all have,
they post answers to their own threads for the given seconds; latency is measured per POST, from send
to response.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx
from seed_bulk import PASSWORD


class Cookies:
    """The server runs without BLOCK_DEBUG, so its cookies are Secure and an HTTP client would drop them;
    this keeps them by hand, as a browser behind the HTTPS proxy would."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def take(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            self.values[name] = rest.split(";", 1)[0]

    def header(self) -> dict[str, str]:
        return {"cookie": "; ".join(f"{k}={v}" for k, v in self.values.items())}

    @property
    def csrf(self) -> str:
        """The CSRF token: `__Host-block_csrf` outside debug, `block_csrf` in debug."""
        return next(value for name, value in self.values.items() if name.endswith("block_csrf"))


async def log_in(client: httpx.AsyncClient, number: int) -> Cookies | None:
    cookies = Cookies()
    cookies.take(await client.get("/healthz"))
    login = await client.post(
        "/login",
        data={"contact": f"139{number:08d}", "password": PASSWORD, "next": "/"},
        headers={"x-csrftoken": cookies.csrf, **cookies.header()},
    )
    cookies.take(login)
    return cookies if login.status_code == 303 else None


async def _post_answers(
    client: httpx.AsyncClient,
    number: int,
    cookies: Cookies,
    deadline: float,
    latencies: list[float],
    failures: list[str],
) -> None:
    token = cookies.csrf
    sent = 0
    while time.monotonic() < deadline:
        sent += 1
        started = time.perf_counter()
        response = await client.post(
            f"/threads/{number}/answers",
            data={"body": f"第{sent}条补充：情况依旧。"},
            headers={"x-csrftoken": token, **cookies.header()},
        )
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code != 303:
            failures.append(f"writer {number}: {response.status_code}")


def run_writers(base_url: str, writers: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    failures: list[str] = []

    async def main() -> None:
        clients = [httpx.AsyncClient(base_url=base_url, timeout=30) for _ in range(writers)]
        try:
            # Everybody logs in first (argon2 is meant to be slow), then all post for the same window.
            sessions = await asyncio.gather(*[log_in(client, n) for n, client in enumerate(clients, start=1)])
            failures.extend(
                f"writer {n} could not log in" for n, cookies in enumerate(sessions, start=1) if cookies is None
            )
            deadline = time.monotonic() + seconds
            await asyncio.gather(
                *[
                    _post_answers(client, n, cookies, deadline, latencies, failures)
                    for n, (client, cookies) in enumerate(zip(clients, sessions, strict=True), start=1)
                    if cookies is not None
                ]
            )
        finally:
            for client in clients:
                await client.aclose()

    asyncio.run(main())
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0

    return {
        "writers": writers,
        "seconds": seconds,
        "answers": len(latencies),
        "answers_per_s": round(len(latencies) / seconds, 1),
        "p50_ms": percentile(0.5),
        "p99_ms": percentile(0.99),
        "max_ms": round(max(ordered), 1) if ordered else 0.0,
        "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
        "failures": len(failures),
        "first_failures": failures[:5],
    }
