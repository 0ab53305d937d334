"""Progress on stderr for the command line's long stages, with estimates only once they are honest.

A Monte Carlo run's first chunk pays for compiling or loading the kernel and for starting the
threads, so a rate measured from the start overstates the time left about tenfold (issue 18:
4 min 55 s shown for a 17 s run). :class:`ProgressLine` shows no estimate until the run has warmed
up (two updates after the first, and a second since it) and then measures the rate from the
first update on. :class:`StageLine` is for stages without counts (LPs, Sobol', charts,
strategies, discovery): after a second it shows what runs and for how long, and, when told, the
stages done. Both draw on stderr only when it is a terminal and the user did not ask for quiet,
redraw in place (cursor up, clear line) and end with a line saying what was done and how long
it took.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

__all__ = ["ProgressLine", "StageLine", "format_seconds"]

WARM_UP_UPDATES = 2
WARM_UP_SECONDS = 1.0
SHOW_AFTER = 1.0


def format_seconds(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _width(stream: TextIO) -> int:
    import shutil

    # Room for the escape sequences below, so that even a capture of the terminal (script, tmux)
    # that drops carriage returns shows no line wider than the terminal.
    return max(20, shutil.get_terminal_size((80, 24)).columns - 10)


# A drawn line ends with a newline; the next drawing moves up to it and clears it first. Unlike a
# carriage return, this leaves every state of the line on a line of its own in a capture.
_UP_AND_CLEAR = "\x1b[1A\x1b[2K"


def _draw(stream: TextIO, text: str, again: bool) -> None:
    stream.write((_UP_AND_CLEAR if again else "") + text + "\n")
    stream.flush()




class ProgressLine:
    """``label [####......]  45%  45,000/100,000  about 12 s left`` (estimate after warm-up)."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, clock=time.perf_counter) -> None:
        self.total, self.label = max(int(total), 1), label
        self.stream = stream or sys.stderr
        self.clock = clock
        self.start = clock()
        self.first: tuple[float, int] | None = None  # time and count of the first update
        self.updates = 0
        self.done = 0
        self.shown = False

    def estimate(self, now: float | None = None) -> float | None:
        """Seconds left, or None while warming up."""
        now = self.clock() if now is None else now
        if self.first is None or self.updates <= WARM_UP_UPDATES or now - self.first[0] < WARM_UP_SECONDS:
            return None
        t0, n0 = self.first
        if self.done <= n0:
            return None
        rate = (self.done - n0) / (now - t0)
        return (self.total - self.done) / rate

    def text(self, now: float | None = None) -> str:
        fraction = min(self.done / self.total, 1.0)
        left = self.estimate(now)
        elapsed = format_seconds((self.clock() if now is None else now) - self.start)
        tail = f"{elapsed}, estimating the rest" if left is None else f"{elapsed}, about {format_seconds(left)} left"
        head = f"{self.label} "
        numbers = f" {fraction:4.0%}  {self.done:,}/{self.total:,}  {tail}"
        room = max(10, _width(self.stream) - len(head) - len(numbers) - 2)
        filled = int(room * fraction)
        return f"{head}[{'#' * filled}{'.' * (room - filled)}]{numbers}"

    def update(self, n_done: int) -> None:
        now = self.clock()
        self.done = int(n_done)
        self.updates += 1
        if self.first is None:
            self.first = (now, self.done)
        if now - self.start >= SHOW_AFTER or self.shown:
            _draw(self.stream, self.text(now), self.shown)
            self.shown = True

    def close(self) -> None:
        # The line stays, saying what was done: clearing it would leave the escape sequence at
        # the start of whatever is printed next, in a capture.
        if self.shown:
            elapsed = format_seconds(self.clock() - self.start)
            _draw(self.stream, f"{self.label}: {self.done:,} of {self.total:,} in {elapsed}", True)
            self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class StageLine:
    """``label: least change, sobol done; 12 s`` redrawn twice a second from a background thread."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.finished: list[str] = []
        self.current = ""
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.shown = False

    def stage(self, name: str) -> None:
        with self._lock:
            self.current = name

    def done(self, name: str, seconds: float | None = None) -> None:
        with self._lock:
            self.finished.append(name if seconds is None else f"{name} {seconds:.1f} s")

    def text(self) -> str:
        with self._lock:
            parts = [self.label + (f": {self.current}" if self.current else "")]
            if self.finished:
                parts.append("done: " + ", ".join(self.finished[-3:]))
        parts.append(format_seconds(time.perf_counter() - self.start))
        line = "  ".join(parts)
        width = _width(self.stream)
        return line if len(line) <= width else line[:width - 3] + "..."

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            if time.perf_counter() - self.start < SHOW_AFTER:
                continue
            _draw(self.stream, self.text(), self.shown)
            self.shown = True

    def __enter__(self) -> StageLine:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        if self.shown:
            with self._lock:
                done = f"; done: {', '.join(self.finished[-3:])}" if self.finished else ""
            line = f"{self.label}: finished in {format_seconds(time.perf_counter() - self.start)}{done}"
            width = _width(self.stream)
            _draw(self.stream, line if len(line) <= width else line[:width - 3] + "...", True)


class ReportProgress:
    """The report's progress: a :class:`ProgressLine` while it simulates, then a :class:`StageLine`
    naming the analyses as they finish (from the report's own log of stage times)."""

    LOGGER = "decide.report.build"

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.line: ProgressLine | None = ProgressLine(total, "Simulating", self.stream)
        self.stages: StageLine | None = None

    def update(self, n_done: int) -> None:
        if self.line is not None:
            self.line.update(n_done)
            if n_done >= self.total:
                self.line.close()
                self.line = None
                self.stages = StageLine("Analyses and charts", self.stream).__enter__()

    def __enter__(self) -> ReportProgress:
        import logging

        logger = logging.getLogger(self.LOGGER)
        self._saved = (logger.level, logger.propagate)
        progress = self

        class Stages(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if progress.stages is not None and record.msg == "%s: %.2f s" and len(record.args or ()) == 2:
                    name, seconds = record.args
                    progress.stages.done(str(name), float(seconds))

        self._handler = Stages(logging.INFO)
        if not logger.isEnabledFor(logging.INFO):
            # Hear the stage times without printing them (that is -v's job).
            logger.setLevel(logging.INFO)
            logger.propagate = False
        logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        import logging

        logger = logging.getLogger(self.LOGGER)
        logger.removeHandler(self._handler)
        logger.setLevel(self._saved[0])
        logger.propagate = self._saved[1]
        if self.line is not None:
            self.line.close()
        if self.stages is not None:
            self.stages.__exit__(*exc)
