"""The `/xpost` grammar, shared by every chat: parse a line into a command, run it, answer.

Slack's `/xpost ...`, a Teams message `xpost ...` and the local page all come here,
so the same words do the same thing with the same Japanese answer everywhere.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from chatbot.errors import PolicyViolation, WorkflowError
from chatbot.messages import state_label, t
from chatbot.model import Actor, Media, Proposal, Role, State
from chatbot.usage import usd
from chatbot.views import (
    PICK_CATEGORY,
    SUBMIT,
    Block,
    Button,
    Buttons,
    Context,
    Fields,
    Header,
    Quote,
    Text,
    View,
    approval_card,
    follow_card,
    local_time,
)
from chatbot.workflow import Status, Workflow, normalise_id
from policies import CheckResult, ProposalDraft

TOKYO = ZoneInfo("Asia/Tokyo")

CATEGORY_ALIASES = {
    "event": "event", "イベント": "event",
    "policy": "policy", "施策": "policy", "事業": "policy",
    "info": "info", "情報": "info", "お知らせ": "info",
    "other": "other", "その他": "other",
}

# Words that are commands; anything else starting the line is the text of a proposal.
VERBS = {
    "help", "ヘルプ", "check", "list", "status", "show", "edit", "withdraw", "submit",
    "approve", "reject", "changes", "retry", "correct", "delete", "suspend", "resume",
    "follow", "impersonation", "form", "reschedule", "unschedule", "budget", "audit",
}


@dataclass
class Command:
    verb: str  # "propose", "form", "help", or one of VERBS
    args: list[str] = field(default_factory=list)
    text: str = ""  # the free text (proposal text, reason, comment)
    category: str | None = None
    publish_at: datetime | None = None
    confirm: bool = False  # `--confirm` (a correction within the cooldown)
    urgent: bool = False  # `--urgent` (approve outside posting hours)


class CommandError(WorkflowError):
    """The line does not fit the grammar; the message says how to write it."""


def parse(line: str) -> Command:
    """`[xpost] VERB ARGS...` or `[xpost] [category] TEXT` (a proposal)."""
    body = line.strip()
    body = re.sub(r"^/?xpost\b\s*", "", body, flags=re.IGNORECASE)
    if not body:
        return Command("form")
    head_, rest_ = _split_first(body)
    word = unicodedata.normalize("NFKC", head_).lower()
    if word in ("help", "ヘルプ", "?"):
        return Command("help")
    if word in CATEGORY_ALIASES:
        publish_at, text = _leading_time(rest_)
        return Command("propose", text=text, category=CATEGORY_ALIASES[word],
                       publish_at=publish_at)
    if word not in VERBS:
        return Command("propose", text=body)
    return _parse_verb(word, rest_)


def _split_first(body: str) -> tuple[str, str]:
    match = re.match(r"(\S+)\s*(.*)", body, flags=re.DOTALL)
    assert match  # body is not empty
    return match.group(1), match.group(2)


def _leading_time(text: str) -> tuple[datetime | None, str]:
    """`2026-12-01 09:00 TEXT` or `2026-12-01T09:00 TEXT`: a scheduled proposal (Tokyo time)."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})\s+(.*)", text, flags=re.DOTALL)
    if not match:
        return None, text
    try:
        at = datetime.fromisoformat(f"{match.group(1)}T{match.group(2).zfill(5)}")
    except ValueError as error:
        raise CommandError("bad_time", value=f"{match.group(1)} {match.group(2)}") from error
    return at.replace(tzinfo=TOKYO), match.group(3)


def _time_only(text: str, usage: str) -> datetime:
    """`2026-12-02 09:00` (Tokyo time) and nothing else."""
    at, remainder = _leading_time(text.strip() + " .")
    if at is None or remainder.strip() != ".":
        raise CommandError("usage", usage=usage)
    return at


def _flag(text: str, *names: str) -> tuple[bool, str]:
    """A leading `--confirm` (or its Japanese word) and the text after it."""
    first, rest = _split_first(text) if text.strip() else ("", "")
    if unicodedata.normalize("NFKC", first).lower() in names:
        return True, rest
    return False, text


def _parse_verb(verb: str, rest: str) -> Command:
    def need(count: int, usage: str) -> list[str]:
        parts = rest.split(None, count)
        if len(parts) < count:
            raise CommandError("usage", usage=usage)
        return parts

    if verb in ("list", "status", "resume", "form"):
        return Command(verb)
    if verb == "check":
        if not rest.strip():
            raise CommandError("usage", usage="/xpost check 本文")
        first, remainder = _split_first(rest)
        category = CATEGORY_ALIASES.get(unicodedata.normalize("NFKC", first).lower())
        return Command("check", text=remainder if category else rest, category=category)
    if verb in ("show", "withdraw", "submit", "retry"):
        return Command(verb, args=[need(1, f"/xpost {verb} P-0001")[0]])
    if verb == "edit":
        parts = need(1, "/xpost edit P-0001 [新しい本文]")
        return Command("edit", args=[parts[0]], text=parts[1] if len(parts) > 1 else "")
    if verb == "approve":
        parts = need(1, "/xpost approve P-0001 [版] [--urgent 理由]")
        after_id = rest.split(None, 1)[1] if len(parts) > 1 else ""
        urgent, reason = _flag(after_id, "--urgent", "緊急")
        if urgent:
            if not reason.strip():
                raise CommandError("urgent_reason_required")
            return Command("approve", args=parts[:1], text=reason.strip(), urgent=True)
        return Command("approve", args=parts[:2])
    if verb == "correct":
        usage = "/xpost correct P-0001 [--confirm] 訂正後の本文"
        parts = need(2, usage)
        confirm, text = _flag(rest.split(None, 1)[1], "--confirm", "確認済み")
        if not text.strip():
            raise CommandError("usage", usage=usage)
        return Command("correct", args=[parts[0]], text=text.strip(), confirm=confirm)
    if verb == "reschedule":
        usage = "/xpost reschedule P-0001 2026-12-02 09:00"
        parts = rest.split(None, 1)
        if len(parts) < 2:
            raise CommandError("usage", usage=usage)
        return Command("reschedule", args=[parts[0]], publish_at=_time_only(parts[1], usage))
    if verb == "unschedule":
        return Command(verb, args=[need(1, "/xpost unschedule P-0001")[0]])
    if verb in ("budget", "audit"):
        sub = {"budget": "continue", "audit": "head"}[verb]
        if unicodedata.normalize("NFKC", rest).strip().lower() != sub:
            raise CommandError("usage", usage=f"/xpost {verb} {sub}")
        return Command(verb, args=[sub])
    if verb in ("reject", "changes", "correct", "delete"):
        usage = {"reject": "/xpost reject P-0001 理由", "changes": "/xpost changes P-0001 修正点",
                 "correct": "/xpost correct P-0001 訂正後の本文",
                 "delete": "/xpost delete P-0001 理由"}[verb]
        parts = need(2, usage)
        # The whole rest is the text: a reason may have spaces in it.
        return Command(verb, args=[parts[0]], text=rest.split(None, 1)[1])
    if verb == "suspend":
        if not rest.strip():
            raise CommandError("usage", usage="/xpost suspend 理由")
        return Command("suspend", text=rest.strip())
    if verb == "follow":
        first, remainder = _split_first(rest) if rest.strip() else ("", "")
        action = first.lower()
        if action in ("approve", "reject", "done"):
            parts = remainder.split(None, 1)
            if not parts:
                raise CommandError("usage", usage=f"/xpost follow {action} F-0001")
            return Command("follow", args=[action, parts[0]],
                           text=parts[1] if len(parts) > 1 else "")
        if not first or not remainder.strip():
            raise CommandError("usage", usage="/xpost follow @アカウント 理由")
        return Command("follow", args=["request", first], text=remainder.strip())
    if verb == "impersonation":
        parts = need(1, "/xpost impersonation @アカウント [URL]")
        return Command("impersonation", args=parts[:1], text=parts[1] if len(parts) > 1 else "")
    raise CommandError("usage", usage="/xpost help")


class CommandRunner:
    """Runs a parsed command for an actor and answers with a View. Chat front ends call
    `run(actor, line)` and render the View; anything refused comes back as a View too."""

    def __init__(self, workflow: Workflow, lang: str = "ja") -> None:
        self.workflow = workflow
        self.lang = lang

    def run(self, actor: Actor, line: str, origin: dict[str, str] | None = None,
            media: list[Media] | None = None) -> View:
        try:
            command = parse(line)
            return self.execute(actor, command, origin or {}, media or [])
        except PolicyViolation as refused:
            return self.policy_view(refused.violations, ephemeral=True)
        except WorkflowError as refused:
            return View(text=refused.render(self.lang), ephemeral=True)

    def execute(self, actor: Actor, command: Command, origin: dict[str, str],
                media: list[Media]) -> View:
        wf, lang = self.workflow, self.lang
        verb = command.verb
        if verb == "help":
            return View(text=t("help", lang), blocks=[Text(t("help", lang))], ephemeral=True)
        if verb == "form":
            return View(text=t("open_form", lang), ephemeral=True)
        if verb == "check":
            result = wf.check(ProposalDraft(text=command.text, category=command.category,
                                            media=[]), lang)
            return self.check_view(result)
        if verb == "propose":
            return self.propose(actor, command.text, command.category, media, origin,
                                command.publish_at, submit=True)
        if verb == "list":
            return self.list_view()
        if verb == "status":
            return self.status_view()
        if verb == "show":
            proposal = wf.get(command.args[0])
            return self.proposal_view(proposal)
        if verb == "submit":
            proposal = wf.submit(actor, command.args[0])
            return View(text=t("submitted", lang, id=proposal.id))
        if verb == "edit":
            if not command.text:
                return View(text=t("edit_needs_text", lang, id=normalise_id(command.args[0])),
                            ephemeral=True)
            proposal, _ = wf.edit(actor, command.args[0], text=command.text)
            return View(text=t("edited", lang, id=proposal.id, version=proposal.current.number))
        if verb == "withdraw":
            proposal = wf.withdraw(actor, command.args[0])
            return View(text=t("withdrawn", lang, id=proposal.id))
        if verb == "approve":
            proposal = wf.get(command.args[0])
            if command.urgent:
                proposal = wf.approve_urgent(actor, proposal.id, proposal.current.number,
                                             command.text)
                return View(text=t("approved_urgent", lang, id=proposal.id,
                                   reason=command.text))
            version = int(command.args[1]) if len(command.args) > 1 else proposal.current.number
            proposal = wf.approve(actor, proposal.id, version)
            return View(text=self.approved_text(proposal))
        if verb in ("reject", "changes"):
            proposal = wf.get(command.args[0])
            kind = "reject" if verb == "reject" else "request_changes"
            proposal = wf.decide(actor, proposal.id, proposal.current.number, kind, command.text)
            return View(text=t("rejected" if verb == "reject" else "changes_requested", lang,
                               id=proposal.id))
        if verb == "retry":
            proposal = wf.retry(actor, command.args[0])
            return View(text=t("retrying", lang, id=proposal.id))
        if verb == "correct":
            correction, _ = wf.correct(actor, command.args[0], command.text,
                                       confirm=command.confirm)
            return View(text=t("correction_proposed", lang, id=correction.id,
                               original=correction.corrects))
        if verb == "delete":
            proposal = wf.delete(actor, command.args[0], command.text)
            return View(text=t("delete_requested", lang, id=proposal.id))
        if verb == "suspend":
            state = wf.suspend(actor, command.text)
            return View(text=t("suspended", lang, reason=state.suspended_reason))
        if verb == "resume":
            wf.resume(actor)
            return View(text=t("resumed", lang))
        if verb == "follow":
            return self.follow(actor, command)
        if verb == "reschedule":
            assert command.publish_at is not None  # the grammar requires it
            proposal = wf.reschedule(actor, command.args[0], command.publish_at)
            at = proposal.release_at or proposal.current.publish_at
            return View(text=t("rescheduled", lang, id=proposal.id, at=local_time(at, lang)))
        if verb == "unschedule":
            proposal = wf.unschedule(actor, command.args[0])
            return View(text=t("unscheduled", lang, id=proposal.id,
                               version=proposal.current.number))
        if verb == "budget":
            wf.continue_over_budget(actor)
            status = wf.status()
            spend = status.usage.spend_usd if status.usage else 0.0
            return View(text=t("budget_continued", lang, spend=usd(spend),
                               budget=usd(status.budget_usd)))
        if verb == "audit":
            head = wf.announce_audit_head(actor)
            assert head is not None  # only the worker's daily call may skip
            return View(text=t("audit_head_announced", lang, seq=head[0], hash=head[1]),
                        ephemeral=True)
        if verb == "impersonation":
            report = wf.report_impersonation(actor, command.args[0], command.text.strip())
            return View(text=t("impersonation_recorded", lang, id=report.id,
                               handle=report.handle))
        raise CommandError("usage", usage="/xpost help")

    # -- pieces front ends also call directly ---------------------------------------

    def approved_text(self, proposal: Proposal) -> str:
        """What to tell the chief after approving: now, or when it will go out and why."""
        lang = self.lang
        if proposal.release_at:
            why = t(f"release_{proposal.release_reason}", lang)
            return t("approved_waiting", lang, id=proposal.id,
                     at=local_time(proposal.release_at, lang), why=why)
        if proposal.urgent:
            return t("approved_urgent", lang, id=proposal.id,
                     reason=proposal.last_decision.comment if proposal.last_decision else "")
        return t("approved", lang, id=proposal.id)

    def propose(self, actor: Actor, text: str, category: str | None, media: list[Media],
                origin: dict[str, str], publish_at: datetime | None = None,
                submit: bool = True) -> View:
        """A proposal; with no category, a draft and a question with category buttons."""
        wf, lang = self.workflow, self.lang
        if category is None:
            result = wf.check(ProposalDraft(text=text, category="info"), lang)
            if result.errors:
                return self.policy_view(result.errors, ephemeral=True)
            proposal, _ = wf.propose(actor, text, None, media, publish_at, origin, submit=False,
                                     allow_missing_category=True)
            return self.category_question(proposal)
        proposal, result = wf.propose(actor, text, category, media, publish_at, origin,
                                      submit=submit)
        key = "proposed" if submit else "drafted"
        blocks: list[Block] = [Text(t(key, lang, id=proposal.id)), Quote(text)]
        blocks += self._warning_blocks(result)
        if not submit:
            blocks.append(Buttons([Button(SUBMIT, t("submit_button", lang),
                                          {"id": proposal.id, "version": 1}, "primary")]))
        return View(text=t(key, lang, id=proposal.id), blocks=blocks)

    def category_question(self, proposal: Proposal) -> View:
        lang = self.lang
        buttons = [
            Button(PICK_CATEGORY, self.workflow.checker.category_label(c, lang),
                   {"id": proposal.id, "version": proposal.current.number, "category": c})
            for c in ("event", "policy", "info", "other")
        ]
        return View(text=t("ask_category", lang, id=proposal.id),
                    blocks=[Text(t("ask_category", lang, id=proposal.id)),
                            Quote(proposal.current.text), Buttons(buttons)])

    def check_view(self, result: CheckResult) -> View:
        lang = self.lang
        if not result.violations:
            text = t("check_ok", lang, length=result.weighted_length)
            return View(text=text, blocks=[Text(text)], ephemeral=True)
        blocks: list[Block] = [Text(t("check_header", lang, length=result.weighted_length))]
        blocks += [Text(_violation_line(v, lang)) for v in result.violations]
        return View(text=blocks[0].text if isinstance(blocks[0], Text) else "", blocks=blocks,
                    ephemeral=True)

    def policy_view(self, violations: list, ephemeral: bool = True) -> View:
        lang = self.lang
        head = t("policy_errors", lang, count=len(violations))
        blocks: list[Block] = [Text(head)] + [Text(_violation_line(v, lang)) for v in violations]
        return View(text=head + "\n" + "\n".join(_violation_line(v, lang) for v in violations),
                    blocks=blocks, ephemeral=ephemeral)

    def proposal_view(self, proposal: Proposal) -> View:
        label = self.workflow.checker.category_label(proposal.current.category or "info",
                                                     self.lang)
        view = approval_card(proposal, label, self.lang)
        # Shown on request, not for deciding: the buttons stay on the chief's card.
        view.blocks = [b for b in view.blocks if not isinstance(b, Buttons)]
        view.ephemeral = True
        return view

    def list_view(self) -> View:
        lang = self.lang
        proposals = self.workflow.list(
            {State.DRAFT, State.PENDING, State.CHANGES_REQUESTED, State.APPROVED,
             State.PUBLISHING, State.FAILED}, limit=30)
        if not proposals:
            return View(text=t("list_empty", lang), ephemeral=True)
        lines = []
        for p in proposals:
            at = p.release_at or (p.current.publish_at if p.state is not State.APPROVED
                                  else None)
            when = f" ⏰{local_time(at, lang)}" if at else ""
            lines.append(f"{p.id} [{state_label(p.state, lang)}]{when} "
                         f"{_excerpt(p.current.text)} ({p.author.display})")
        head = t("list_header", lang, count=len(proposals))
        return View(text=head + "\n" + "\n".join(lines),
                    blocks=[Header(head), Text("\n".join(lines))], ephemeral=True)

    def status_view(self) -> View:
        lang = self.lang
        status = self.workflow.status()
        account = status.account
        if account.suspended:
            state = t("status_suspended", lang, reason=account.suspended_reason,
                      since=local_time(account.suspended_at, lang))
        else:
            state = t("status_active", lang)
        if account.identity_ok is None:
            identity = t("identity_unchecked", lang)
        elif account.identity_ok:
            identity = t("identity_ok", lang, username=account.identity_username)
        else:
            identity = t("identity_bad", lang, username=account.identity_username or "?")
        last = status.last_published
        pairs = [
            (t("label_account", lang), state),
            (t("label_identity", lang), identity),
            (t("label_pending", lang), str(status.pending)),
            (t("label_queued", lang), str(status.approved + status.publishing)),
            (t("label_failed", lang), str(status.failed)),
            (t("label_last", lang), f"{last.id} {local_time(last.published_at, lang)} "
                                    f"{last.x_url}" if last else "-"),
            (t("label_followed", lang),
             ", ".join(f"@{f.handle}" for f in status.followed) or "-"),
        ]
        pairs += self._usage_pairs(status)
        head = t("status_header", lang, username=self.workflow.policy.workflow.x_username)
        text = head + "\n" + "\n".join(f"{k}: {v}" for k, v in pairs)
        return View(text=text, blocks=[Header(head), Fields(pairs)], ephemeral=True)

    def _usage_pairs(self, status: Status) -> list[tuple[str, str]]:
        """This month's posts and spend, and X's remaining calls (X is paid per use)."""
        lang = self.lang
        usage = status.usage
        pairs: list[tuple[str, str]] = []
        if usage is not None:
            pairs.append((t("label_month_posts", lang),
                          t("month_posts", lang, posts=usage.posts,
                            with_url=usage.posts_with_url)))
            percent = round(100 * usage.spend_usd / status.budget_usd) if status.budget_usd else 0
            spend = t("month_spend", lang, spend=usd(usage.spend_usd),
                      budget=usd(status.budget_usd), percent=percent)
            if status.holding_for_budget:
                spend += "\n" + t("budget_holding", lang)
            pairs.append((t("label_month_spend", lang), spend))
        limits = [t("rate_limit_line", lang, endpoint=limit.endpoint, remaining=limit.remaining,
                    limit=limit.limit, reset=local_time(limit.reset_at, lang))
                  for limit in status.rate_limits]
        pairs.append((t("label_rate_limits", lang),
                      "\n".join(limits) or t("rate_limits_unknown", lang)))
        if status.scheduled:
            pairs.append((t("label_scheduled", lang), "\n".join(
                f"{p.id} {local_time(p.release_at, lang)}" for p in status.scheduled)))
        return pairs

    def follow(self, actor: Actor, command: Command) -> View:
        wf, lang = self.workflow, self.lang
        action, target = command.args
        if action == "request":
            request = wf.request_follow(actor, target, command.text)
        elif action == "approve":
            request = wf.decide_follow(actor, target, approve=True)
        elif action == "reject":
            request = wf.decide_follow(actor, target, approve=False, comment=command.text)
        else:
            request = wf.confirm_follow(actor, target)
        view = follow_card(request, lang)
        view.ephemeral = True
        return view

    def _warning_blocks(self, result: CheckResult) -> list[Block]:
        if not result.warnings:
            return []
        return [Context(t("warnings_for_chief", self.lang))] + [
            Text(_violation_line(v, self.lang)) for v in result.warnings]

    def role_of(self, actor: Actor) -> Role:
        return self.workflow.role_of(actor)


def _violation_line(violation, lang: str) -> str:
    mark = "❌" if violation.severity == "error" else "⚠"
    if lang == "en":
        return f"{mark} {violation.message} ({violation.article}, {violation.rule})"
    return f"{mark} {violation.message}（{violation.article}）"


def _excerpt(text: str, size: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[: size - 1] + "…"
