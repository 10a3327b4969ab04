"""Concurrent writers: N signed-in people post answers as fast as they can, each waiting for its answer.

Used by bench/run.py --writers N. Every writer logs in once (one shared seeded password), then posts
answers to its own thread for the given seconds; latency is measured per POST, from send to response.
"""

from __future__ import annotations

import asyncio
import statistics
import time

import httpx

from seed_bulk import PASSWORD


class _Cookies:
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


async def _writer(base_url: str, number: int, seconds: float, latencies: list[float], failures: list[str]) -> None:
    cookies = _Cookies()
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        cookies.take(await client.get("/healthz"))
        token = cookies.values["block_csrf"]
        login = await client.post("/login", data={"contact": f"139{number:08d}", "password": PASSWORD, "next": "/"},
                                  headers={"x-csrftoken": token, **cookies.header()})
        cookies.take(login)
        if login.status_code != 303:
            failures.append(f"writer {number} could not log in: {login.status_code}")
            return
        deadline = time.monotonic() + seconds
        sent = 0
        while time.monotonic() < deadline:
            sent += 1
            started = time.perf_counter()
            response = await client.post(f"/threads/{number}/answers", data={"body": f"第{sent}条补充：情况依旧。"},
                                         headers={"x-csrftoken": token, **cookies.header()})
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status_code != 303:
                failures.append(f"writer {number}: {response.status_code}")


def run_writers(base_url: str, writers: int, seconds: float) -> dict[str, object]:
    latencies: list[float] = []
    failures: list[str] = []

    async def main() -> None:
        await asyncio.gather(*[_writer(base_url, n, seconds, latencies, failures) for n in range(1, writers + 1)])

    asyncio.run(main())
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1) if ordered else 0.0

    return {"writers": writers, "seconds": seconds, "answers": len(latencies),
            "answers_per_s": round(len(latencies) / seconds, 1), "p50_ms": percentile(0.5),
            "p99_ms": percentile(0.99), "max_ms": round(max(ordered), 1) if ordered else 0.0,
            "mean_ms": round(statistics.fmean(ordered), 1) if ordered else 0.0,
            "failures": len(failures), "first_failures": failures[:5]}
