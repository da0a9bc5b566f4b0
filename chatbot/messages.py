"""Every sentence the bot shows a person, in Japanese (default) and English.

One catalog for every chat, so Slack, Teams and the local page say the same thing.
A missing English text falls back to Japanese; a missing parameter never raises.
"""

from __future__ import annotations

import string
from typing import Any

DEFAULT_LANG = "ja"
LANGS = ("ja", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # -- refusals ------------------------------------------------------------
    "illegal_transition": {
        "ja": "{id} は現在「{state_label}」のため、この操作（{action_label}）はできません。",
        "en": "{id} is {state_label}; it cannot be {action_label} now.",
    },
    "already_decided": {
        "ja": "{id} はすでに判断済みです（現在「{state_label}」）。",
        "en": "{id} has already been decided (now {state_label}).",
    },
    "stale_version": {
        "ja": "{id} は第{current}版に更新されています。第{version}版への判断は受け付けられません。"
        "最新の内容を確認してから判断してください。",
        "en": "{id} has been updated to version {current}; a decision on version {version} "
        "cannot be accepted. Please review the latest version.",
    },
    "not_found": {
        "ja": "{id} は見つかりません。ID を確認してください（例: P-0042）。",
        "en": "{id} was not found. Check the id (e.g. P-0042).",
    },
    "permission_denied": {
        "ja": "権限がありません。この操作は課長（運用管理者）または代理者のみが行えます（第3条）。",
        "en": "You do not have permission. Only the section chief or a delegate may do this "
        "(Art. 3).",
    },
    "not_author": {
        "ja": "権限がありません。{id} を変更できるのは起案者または課長のみです。",
        "en": "You do not have permission. Only the author or the chief may change {id}.",
    },
    "self_approval": {
        "ja": "自分が起案した投稿案は承認できません。別の方（課長または代理者）の承認が必要です。",
        "en": "You cannot approve your own proposal; another person (the chief or a delegate) "
        "must approve it.",
    },
    "policy_errors": {
        "ja": "運用ポリシーに合わない点が {count} 件あります。直してから出してください。",
        "en": "The proposal has {count} problem(s) under the policy. Please fix them first.",
    },
    "reason_required": {
        "ja": "理由を入力してください。",
        "en": "Please give a reason.",
    },
    "comment_required": {
        "ja": "差し戻しの理由（修正してほしい点）を入力してください。",
        "en": "Please say what should be changed.",
    },
    "not_published": {
        "ja": "{id} は X に投稿されていないため、{action_label}できません（現在「{state_label}」）。",
        "en": "{id} is not on X, so it cannot be {action_label} (now {state_label}).",
    },
    "already_suspended": {
        "ja": "アカウントはすでに停止中です（理由: {reason}）。",
        "en": "The account is already suspended (reason: {reason}).",
    },
    "not_suspended": {
        "ja": "アカウントは停止されていません。",
        "en": "The account is not suspended.",
    },
    "bad_handle": {
        "ja": "アカウント名の形式が正しくありません: {handle}（例: @komae_city）",
        "en": "That is not a valid account name: {handle} (e.g. @komae_city)",
    },
    "publish_at_past": {
        "ja": "投稿日時 {at} はすでに過ぎています。これからの日時を指定してください。",
        "en": "The publish time {at} has already passed. Please give a time in the future.",
    },
    "correction_same_text": {
        "ja": "訂正内容が {id} の投稿と同じです。訂正後の文面を入力してください。",
        "en": "The correction is the same as {id}. Please give the corrected text.",
    },
    "urgent_reason_required": {
        "ja": "緊急として承認する理由（災害、休館、安全に関わるお知らせなど）を入力してください。記録に残ります。",
        "en": "Please give the reason for urgent approval (disaster, closure, safety); it is recorded.",
    },
    "not_waiting": {
        "ja": "{id} は投稿待ちではないため、{action_label}できません（現在「{state_label}」）。",
        "en": "{id} is not waiting to go out, so it cannot be {action_label} (now {state_label}).",
    },
    "correction_cooldown": {
        "ja": "{id} は {minutes} 分以内に訂正したばかりです。削除と再投稿を繰り返すと X にスパムとみなされ、アカウントが凍結されるおそれがあります。"
        "それでも訂正する場合は課長が `/xpost correct {id} --confirm 訂正後の本文` としてください。",
        "en": "{id} was corrected less than {minutes} minutes ago. Deleting and posting again and again can make X freeze the account as spam. "
        "If it must be corrected again, the chief can use `/xpost correct {id} --confirm TEXT`.",
    },
    "correction_dissimilar": {
        "ja": "訂正前（{id}）との類似度が {percent}% と低く、訂正というより別の投稿です。訂正として投稿してよいか確認してください。",
        "en": "This is only {percent}% like {id}: more a new post than a correction. Check it should go out as a correction.",
    },
    "follow_already_decided": {
        "ja": "フォロー申請 {id} はすでに判断済みです。",
        "en": "Follow request {id} has already been decided.",
    },
    "follow_not_approved": {
        "ja": "フォロー申請 {id} は承認されていないため、フォロー完了にできません。",
        "en": "Follow request {id} is not approved, so it cannot be marked as followed.",
    },
    # -- answers to commands -----------------------------------------------------
    "usage": {
        "ja": "書き方が違います。使い方: {usage}\n（`/xpost help` で一覧を表示します）",
        "en": "That does not fit. Usage: {usage}\n(`/xpost help` lists every command)",
    },
    "bad_time": {
        "ja": "日時 {value} を読み取れません。例: 2026-12-01 09:00",
        "en": "Cannot read the time {value}. Example: 2026-12-01 09:00",
    },
    "open_form": {
        "ja": "投稿案の入力フォームを開きます。",
        "en": "Opening the proposal form.",
    },
    "proposed": {
        "ja": "投稿案 {id} を受け付け、課長に承認を依頼しました。",
        "en": "Proposal {id} was received and sent to the chief for approval.",
    },
    "drafted": {
        "ja": "投稿案 {id} を確認しました。問題がなければ「承認を依頼」を押してください。",
        "en": "Proposal {id} was checked. Press \"Submit for approval\" to send it to the chief.",
    },
    "submit_button": {"ja": "承認を依頼", "en": "Submit for approval"},
    "submitted": {
        "ja": "{id} を課長に承認依頼しました。",
        "en": "{id} was sent to the chief for approval.",
    },
    "ask_category": {
        "ja": "{id} の区分を選んでください（第5条第1項）。選ぶと承認依頼します。",
        "en": "Choose the category of {id} (Art. 5.1). It is then sent for approval.",
    },
    "edit_needs_text": {
        "ja": "新しい本文を続けて書いてください。例: /xpost edit {id} 新しい本文",
        "en": "Write the new text after the id. Example: /xpost edit {id} new text",
    },
    "edited": {
        "ja": "{id} を第{version}版に修正しました。課長に改めて承認を依頼します。",
        "en": "{id} is now version {version}; it goes to the chief again.",
    },
    "withdrawn": {"ja": "{id} を取り下げました。", "en": "{id} was withdrawn."},
    "approved": {"ja": "{id} を承認しました。", "en": "{id} was approved."},
    "approved_waiting": {
        "ja": "{id} を承認しました。{at} に投稿します（{why}）。",
        "en": "{id} was approved. It goes out at {at} ({why}).",
    },
    "approved_urgent": {
        "ja": "{id} を緊急として承認しました。投稿時間にかかわらず、ただちに投稿します（理由: {reason}）。",
        "en": "{id} was approved as urgent and goes out now, whatever the hours (reason: {reason}).",
    },
    "rescheduled": {"ja": "{id} の投稿日時を {at} に変更しました。", "en": "{id} now goes out at {at}."},
    "unscheduled": {
        "ja": "{id} の予約を取り消しました。承認待ちに戻り、日時のない第{version}版になりました。もう一度承認するまで投稿されません（取りやめる場合は /xpost withdraw {id}）。",
        "en": "{id} is no longer scheduled: it is pending again as version {version} with no time, and will not go out until approved again (to drop it: /xpost withdraw {id}).",
    },
    "budget_continued": {
        "ja": "今月の予算（${budget}）を超えて投稿を続けます（現在 ${spend}）。保留中の投稿を順に投稿します。この判断は記録されました。",
        "en": "Publishing continues past this month's budget (${budget}; spent ${spend}). Held posts go out now. This decision is recorded.",
    },
    "audit_head_announced": {
        "ja": "監査ログの先頭（第{seq}件）を通知チャンネルに告知しました: {hash}",
        "en": "The audit log's head (entry {seq}) was announced in the notification channel: {hash}",
    },
    "rejected": {"ja": "{id} を却下しました。", "en": "{id} was rejected."},
    "changes_requested": {"ja": "{id} を差し戻しました。", "en": "{id} was sent back for changes."},
    "retrying": {"ja": "{id} の投稿を再試行します。", "en": "{id} will be tried again."},
    "correction_proposed": {
        "ja": "{original} の訂正案 {id} を作成しました。承認すると、元の投稿を削除して訂正版を投稿します（第5条第2項）。",
        "en": "Correction {id} of {original} was created. On approval the wrong post is deleted and the correction published (Art. 5.2).",
    },
    "delete_requested": {
        "ja": "{id} を X から削除します。",
        "en": "{id} is being deleted from X.",
    },
    "suspended": {
        "ja": "アカウントの運用を停止しました（理由: {reason}）。承認済みの投稿は再開まで保留されます（第9条）。",
        "en": "The account is suspended (reason: {reason}). Approved posts wait until it resumes (Art. 9).",
    },
    "resumed": {
        "ja": "アカウントの運用を再開しました。保留中の投稿を順に投稿します。",
        "en": "The account has resumed. Waiting posts go out now.",
    },
    "impersonation_recorded": {
        "ja": "なりすまし報告 {id}（@{handle}）を記録し、課長と通知チャンネルに知らせました（第7条第2項）。",
        "en": "Impersonation report {id} (@{handle}) was recorded; the chief and the notification channel were alerted (Art. 7.2).",
    },
    "follow_by_hand": {
        "ja": "X の API ではフォローできないため、課長が X アプリで @{handle} を手動でフォローし、終わったら「フォローした」を押してください（{id}）。",
        "en": "X no longer allows follows through its API: please follow @{handle} by hand in the X app, then press \"Followed\" ({id}).",
    },
    "check_ok": {
        "ja": "問題は見つかりませんでした（文字数 {length} / 280）。",
        "en": "No problems found (weighted length {length} / 280).",
    },
    "check_header": {
        "ja": "確認結果（文字数 {length} / 280）:",
        "en": "Check result (weighted length {length} / 280):",
    },
    "warnings_for_chief": {
        "ja": "次の注意事項は課長の承認画面にも表示されます:",
        "en": "These warnings are shown to the chief too:",
    },
    "list_empty": {"ja": "進行中の投稿案はありません。", "en": "No open proposals."},
    "list_header": {"ja": "進行中の投稿案（{count} 件）", "en": "Open proposals ({count})"},
    "status_header": {"ja": "@{username} の運用状況", "en": "Status of @{username}"},
    "status_active": {"ja": "運用中", "en": "active"},
    "status_suspended": {
        "ja": "停止中（{since} から。理由: {reason}）",
        "en": "suspended since {since} (reason: {reason})",
    },
    "identity_unchecked": {"ja": "未確認", "en": "not checked yet"},
    "identity_ok": {"ja": "確認済み（@{username}）", "en": "verified (@{username})"},
    "identity_bad": {
        "ja": "不一致（@{username}）: 投稿を止めています",
        "en": "mismatch (@{username}): publishing is stopped",
    },
    "label_account": {"ja": "アカウント", "en": "Account"},
    "label_identity": {"ja": "X 認証情報の確認", "en": "X identity"},
    "label_pending": {"ja": "承認待ち", "en": "Pending"},
    "label_queued": {"ja": "投稿待ち", "en": "Queued"},
    "label_failed": {"ja": "投稿失敗", "en": "Failed"},
    "label_last": {"ja": "最新の投稿", "en": "Last post"},
    "label_followed": {"ja": "フォロー中の公式アカウント", "en": "Followed official accounts"},
    "label_month_posts": {"ja": "今月の投稿数", "en": "Posts this month"},
    "month_posts": {"ja": "{posts} 件（うち URL 付き {with_url} 件）", "en": "{posts} ({with_url} with a URL)"},
    "label_month_spend": {"ja": "今月の X 費用（見込み）", "en": "X spend this month (estimate)"},
    "month_spend": {"ja": "${spend} ／ 予算 ${budget}（{percent}%）", "en": "${spend} of ${budget} budget ({percent}%)"},
    "budget_holding": {
        "ja": "予算に達したため投稿を保留中です。続けるには課長が /xpost budget continue",
        "en": "Publishing holds at the budget; the chief can go on with /xpost budget continue",
    },
    "label_rate_limits": {"ja": "X API の残り回数", "en": "X API calls left"},
    "rate_limit_line": {
        "ja": "{endpoint}: {remaining} / {limit}（{reset} にリセット）",
        "en": "{endpoint}: {remaining} of {limit} (resets {reset})",
    },
    "rate_limits_unknown": {"ja": "まだ記録がありません", "en": "not seen yet"},
    "label_scheduled": {"ja": "予約・時間待ちの投稿", "en": "Scheduled and waiting"},
    "release_scheduled": {"ja": "予約した日時", "en": "its scheduled time"},
    "release_posting_hours": {
        "ja": "投稿時間外のため次の投稿時間帯に（第10条）",
        "en": "outside posting hours: the next window (Art. 10)",
    },
    "release_rate_limited": {"ja": "X の回数制限のため", "en": "X's rate limit"},
    "help": {
        "ja": """xpost の使い方（狛江市子ども若者政策課公式X）
・/xpost … 入力フォームを開く
・/xpost [区分] 本文 … 投稿案を出す（区分: event イベント / policy 施策 / info 情報 / other その他）
　例: /xpost event 12月1日(土)10時から子ども食堂を開きます。
　例: /xpost info 2026-12-01 09:00 本文 … 日時を指定して予約
・/xpost check 本文 … ポリシーの確認だけ（自分だけに表示）
・/xpost list … 進行中の投稿案 ／ /xpost status … 運用状況
・/xpost show P-0001 ／ /xpost edit P-0001 新しい本文 ／ /xpost withdraw P-0001
・/xpost impersonation @アカウント [URL] … なりすましの報告（どなたでも）
課長・代理者のみ:
・/xpost correct P-0001 訂正後の本文 … 訂正（第5条第2項）
・/xpost delete P-0001 理由 … 削除
・/xpost suspend 理由 ／ /xpost resume … 運用の停止と再開（第9条）
・/xpost follow @アカウント 理由 … フォロー申請（第6条第1号）
・/xpost approve P-0001 --urgent 理由 … 緊急として承認（時間外でも即時投稿）
・/xpost correct P-0001 --confirm 訂正後の本文 … 間を置かない再訂正
・/xpost reschedule P-0001 2026-12-02 09:00 ／ /xpost unschedule P-0001 … 予約の変更・取り消し
・/xpost budget continue … 予算を超えて投稿を続ける
・/xpost audit head … 監査ログの先頭を通知チャンネルに告知""",
        "en": """How to use xpost (@komae_kosodate)
- /xpost ... open the proposal form
- /xpost [category] TEXT ... propose a post (category: event / policy / info / other)
  e.g. /xpost event Kids' cafeteria on Sat 1 Dec from 10:00.
  e.g. /xpost info 2026-12-01 09:00 TEXT ... schedule it
- /xpost check TEXT ... policy check only (only you see it)
- /xpost list ... open proposals / /xpost status ... account status
- /xpost show P-0001 / /xpost edit P-0001 NEW TEXT / /xpost withdraw P-0001
- /xpost impersonation @account [URL] ... report impersonation (anyone)
Chief and delegates only:
- /xpost correct P-0001 CORRECTED TEXT (Art. 5.2)
- /xpost delete P-0001 REASON
- /xpost suspend REASON / /xpost resume (Art. 9)
- /xpost follow @account REASON (Art. 6.1)
- /xpost approve P-0001 --urgent REASON ... urgent: out at once, whatever the hours
- /xpost correct P-0001 --confirm TEXT ... correct again within the cooldown
- /xpost reschedule P-0001 2026-12-02 09:00 / /xpost unschedule P-0001
- /xpost budget continue ... go on publishing past the monthly budget
- /xpost audit head ... announce the audit log's head in the notification channel""",
    },
    # -- events: the notification channel and the author's DM -------------------------
    "event_proposal_submitted": {"ja": "{id} の承認依頼が届きました。", "en": "{id} is waiting for approval."},
    "event_proposal_withdrawn": {"ja": "{id} は取り下げられました。", "en": "{id} was withdrawn."},
    "event_proposal_decided": {"ja": "{id} が判断されました。", "en": "{id} was decided."},
    "event_proposal_retrying": {"ja": "{id} の投稿を再試行します。", "en": "{id} is being retried."},
    "event_publishing": {"ja": "{id} を X に投稿しています。", "en": "{id} is being published to X."},
    "event_post_published": {"ja": "📣 {id} を X に投稿しました: {x_url}", "en": "📣 {id} was published on X: {x_url}"},
    "event_correction_published": {
        "ja": "📣 訂正: {corrects} の誤りを削除し、訂正版 {id} を投稿しました: {x_url}（第5条第2項）",
        "en": "📣 Correction: the wrong post {corrects} was deleted and correction {id} published: {x_url} (Art. 5.2)",
    },
    "event_original_deleted": {
        "ja": "{id} を訂正のため X から削除しました（訂正版 {correction}）。",
        "en": "{id} was deleted from X for correction {correction}.",
    },
    "event_post_deleted": {"ja": "🗑 {id} を X から削除しました（理由: {reason}）。", "en": "🗑 {id} was deleted from X (reason: {reason})."},
    "event_delete_failed": {"ja": "⚠ {id} を X から削除できませんでした: {error}", "en": "⚠ {id} could not be deleted from X: {error}"},
    "event_publish_failed": {
        "ja": "⚠ {id} の投稿に失敗しました（{reason}）。課長は承認カードの「再試行」で再投稿できます。",
        "en": "⚠ Publishing {id} failed ({reason}). The chief can retry from the approval card.",
    },
    "event_publish_postponed": {
        "ja": "{id} は X の投稿数の上限のため {until} 以降に投稿します。",
        "en": "{id} waits for X's rate limit and goes out after {until}.",
    },
    "event_publish_postponed_posting_hours": {
        "ja": "{id} は投稿時間外のため {until} に投稿します（緊急の場合は課長が「緊急として承認」できます）。",
        "en": "{id} is outside the posting hours and goes out at {until}.",
    },
    "event_account_suspended": {
        "ja": "⛔ アカウントの運用を停止しました（理由: {reason}、{by}）。市ホームページ・子育てねっとに掲載する文案:\n{notice_homepage}",
        "en": "⛔ The account was suspended (reason: {reason}, by {by}). Notice for the city homepage and 子育てねっと:\n{notice_homepage}",
    },
    "event_account_resumed": {
        "ja": "✅ アカウントの運用を再開しました（{by}）。掲載する文案:\n{notice_homepage}",
        "en": "✅ The account resumed (by {by}). Notice to publish:\n{notice_homepage}",
    },
    "event_impersonation_reported": {
        "ja": "🚨 なりすましの報告 {id}: @{handle} {url}（報告者 {reported_by}）。直ちに市ホームページと子育てねっとで注意喚起してください（第7条第2項）。文案:\n{notice_homepage}",
        "en": "🚨 Impersonation report {id}: @{handle} {url} (by {reported_by}). Warn the public on the city homepage and 子育てねっと at once (Art. 7.2). Draft:\n{notice_homepage}",
    },
    "event_identity_mismatch": {
        "ja": "🚨 X の認証情報が @{expected} のものではありません（@{actual}）。投稿を止めています（第4条）。",
        "en": "🚨 The X credentials are not @{expected}'s (they are @{actual}). Publishing is stopped (Art. 4).",
    },
    "event_reminder": {
        "ja": "⏰ {id} が {waiting_hours} 時間承認を待っています。",
        "en": "⏰ {id} has been waiting for approval for {waiting_hours} hours.",
    },
    "event_audit_head": {
        "ja": "🔏 監査ログの先頭: 第{seq}件 {hash}\n（改ざんがないことは `xpost audit verify --head {seq}:{hash}` で確かめられます。この通知は記録の控えです）",
        "en": "🔏 Audit log head: entry {seq} {hash}\n(check the log against it with `xpost audit verify --head {seq}:{hash}`; this message is the copy outside Redis)",
    },
    "event_budget_warning": {
        "ja": "💴 今月の X 費用が予算の {percent}% に達しました（${spend} ／ ${budget}）。100% に達すると投稿は保留されます。",
        "en": "💴 X spend this month reached {percent}% of the budget (${spend} of ${budget}). At 100% publishing holds.",
    },
    "event_budget_exceeded": {
        "ja": "⛔ 今月の X 予算（${budget}）に達したため、{id} 以降の投稿を保留しています（失われません）。続ける場合は課長が /xpost budget continue",
        "en": "⛔ This month's X budget (${budget}) is reached: {id} and later posts are held (nothing is lost). The chief can go on with /xpost budget continue",
    },
    "event_budget_continued": {
        "ja": "💴 {by} が今月の予算（${budget}）を超えて投稿を続けると判断しました（現在 ${spend}）。保留中の投稿を投稿します。",
        "en": "💴 {by} decided to go on past this month's budget (${budget}; spent ${spend}). Held posts go out.",
    },
    "event_budget_hold_ended": {
        "ja": "💴 月が替わったため、{month} の予算超過で保留していた投稿を投稿します。",
        "en": "💴 A new month: posts held for the {month} budget go out now.",
    },
    "event_proposal_rescheduled": {"ja": "⏰ {id} の投稿日時が {at} に変更されました（{by}）。", "en": "⏰ {id} now goes out at {at} (by {by})."},
    "event_proposal_unscheduled": {"ja": "{id} の予約が取り消され、承認待ちに戻りました（{by}）。", "en": "{id} is no longer scheduled and is pending again (by {by})."},
    "event_follow_pending": {"ja": "フォロー申請 {id}: @{handle}（理由: {reason}、申請者 {requested_by}）", "en": "Follow request {id}: @{handle} (reason: {reason}, by {requested_by})"},
    "event_follow_approved": {"ja": "フォロー申請 {id}（@{handle}）が承認されました。課長が X アプリで手動でフォローしてください。", "en": "Follow request {id} (@{handle}) was approved; the chief follows by hand in the X app."},
    "event_follow_rejected": {"ja": "フォロー申請 {id}（@{handle}）は却下されました。", "en": "Follow request {id} (@{handle}) was rejected."},
    "event_follow_followed": {"ja": "@{handle} をフォローしました（{id}）。", "en": "@{handle} is now followed ({id})."},
    # -- forms and answers shared by the chat front ends (Teams uses them first) --------------
    "form_title": {"ja": "投稿案の入力フォーム", "en": "Proposal form"},
    "form_text_label": {"ja": "本文（X にこのとおり投稿されます）", "en": "Text (posted on X exactly as written)"},
    "form_category_label": {"ja": "区分（第5条第1項）", "en": "Category (Art. 5.1)"},
    "form_rights_label": {"ja": "画像の権利（画像を添える場合）", "en": "Image rights (when images are attached)"},
    "form_rights_none": {"ja": "画像なし", "en": "No images"},
    "form_publish_label": {"ja": "投稿日時（空欄なら承認後すぐ）", "en": "Publish at (empty: right after approval)"},
    "form_text_required": {"ja": "本文を入力してください。", "en": "Please write the text."},
    "comment_placeholder": {"ja": "コメント・理由（差し戻し・却下・緊急承認では必須）", "en": "Comment or reason (required to request changes, reject or approve as urgent)"},
    "author_decided": {"ja": "あなたの投稿案 {id}: {decision}", "en": "Your proposal {id}: {decision}"},
    "comment_line": {"ja": "コメント: {comment}", "en": "Comment: {comment}"},
    "wrong_conversation": {
        "ja": "このチャンネルでは投稿案を受け付けていません。職員用のチャンネルか、ボットとの個人チャットでお使いください。",
        "en": "This channel does not take proposals. Please use the staff channel or a personal chat with the bot.",
    },
    "unknown_action": {"ja": "このボタンは使えません。カードを開き直してください。", "en": "This button cannot be used. Please reopen the card."},
    # -- the Teams app package (what Teams shows about the app and its commands) ----------------
    "app_developer": {"ja": "狛江市 子ども若者政策課", "en": "Komae City, Children and Youth Policy Section"},
    "app_name_full": {"ja": "xpost（狛江市子ども若者政策課 公式X の運用）", "en": "xpost (Komae City @komae_kosodate on X)"},
    "app_description_short": {"ja": "公式 X への投稿案を運用ポリシーで確認し、課長の承認を経て投稿します。", "en": "Checks proposed X posts against the policy and publishes them once the chief approves."},
    "app_description_full": {
        "ja": "狛江市子ども若者政策課の公式 X アカウント（@komae_kosodate）の運用ボットです。職員が投稿案を出すと、運用ポリシーの条文ごとに確認し、課長（運用管理者）の承認を経て X に投稿し、通知チャンネルに知らせます。",
        "en": "The bot that runs Komae City's official X account @komae_kosodate: staff propose posts, the bot checks them article by article against the section's policy, the chief approves, and approved posts are published and announced.",
    },
    "cmd_form": {"ja": "投稿案の入力フォームを開く", "en": "Open the proposal form"},
    "cmd_propose": {"ja": "投稿案を出す: xpost [区分] 本文（区分: event / policy / info / other）", "en": "Propose a post: xpost [category] TEXT"},
    "cmd_check": {"ja": "ポリシーの確認だけ: xpost check 本文", "en": "Policy check only: xpost check TEXT"},
    "cmd_list": {"ja": "進行中の投稿案の一覧", "en": "Open proposals"},
    "cmd_status": {"ja": "アカウントの運用状況", "en": "Account status"},
    "cmd_show": {"ja": "投稿案を表示: xpost show P-0001", "en": "Show a proposal: xpost show P-0001"},
    "cmd_edit": {"ja": "投稿案を修正: xpost edit P-0001 新しい本文", "en": "Edit: xpost edit P-0001 NEW TEXT"},
    "cmd_withdraw": {"ja": "投稿案を取り下げ: xpost withdraw P-0001", "en": "Withdraw: xpost withdraw P-0001"},
    "cmd_impersonation": {"ja": "なりすましの報告: xpost impersonation @アカウント [URL]", "en": "Report impersonation: xpost impersonation @account [URL]"},
    "cmd_help": {"ja": "使い方（課長用のコマンドを含む）", "en": "How to use xpost (with the chief's commands)"},
    # -- Slack: modals and direct messages ---------------------------------------------
    "slack_form_title": {"ja": "X 投稿案", "en": "X proposal"},
    "slack_form_submit": {"ja": "承認を依頼", "en": "Submit"},
    "slack_form_close": {"ja": "閉じる", "en": "Close"},
    "slack_form_text": {"ja": "本文（このまま X に載ります）", "en": "Text (exactly as it will appear on X)"},
    "slack_form_category": {"ja": "区分（第5条第1項）", "en": "Category (Art. 5.1)"},
    "slack_form_category_pick": {"ja": "区分を選ぶ", "en": "Choose a category"},
    "slack_form_publish_at": {"ja": "投稿日時（任意。例: 2026-12-01 09:00）", "en": "Publish at (optional, e.g. 2026-12-01 09:00)"},
    "slack_form_done_title": {"ja": "受け付けました", "en": "Received"},
    "slack_form_images": {"ja": "画像（任意。jpg / png / gif / webp、4枚まで、1枚 5MB まで）", "en": "Images (optional: jpg / png / gif / webp, up to 4, 5 MB each)"},
    "slack_form_rights": {"ja": "画像の権利（画像を添えるときに選ぶ。第8条）", "en": "Image rights (choose one when attaching images; Art. 8)"},
    "slack_form_rights_pick": {"ja": "権利を選ぶ", "en": "Choose the rights"},
    "rights_city": {"ja": "市が著作権を持つ", "en": "The city holds the copyright"},
    "rights_author": {"ja": "原著作者の許諾あり", "en": "Permitted by the original author"},
    "rights_none": {"ja": "権利未確認", "en": "rights not declared"},
    "slack_image_too_large": {"ja": "画像「{name}」は {size_mb} MB あります。X に載せられる画像は {limit_mb} MB までです。小さくしてから添えてください。", "en": "Image \"{name}\" is {size_mb} MB; X accepts images up to {limit_mb} MB. Make it smaller and attach it again."},
    "slack_image_not_image": {"ja": "「{name}」は画像ではありません。jpg / png / gif / webp の画像を添えてください。", "en": "\"{name}\" is not an image. Attach a jpg / png / gif / webp image."},
    "slack_image_unreadable": {"ja": "画像「{name}」を Slack から受け取れませんでした。もう一度添えてお試しください。", "en": "Image \"{name}\" could not be fetched from Slack. Attach it again and retry."},
    "slack_edit_title": {"ja": "投稿案を修正", "en": "Edit the proposal"},
    "slack_edit_submit": {"ja": "修正して再依頼", "en": "Save and resubmit"},
    "slack_comment_title": {"ja": "差し戻し", "en": "Request changes"},
    "slack_comment_label": {"ja": "修正してほしい点（起案者に届きます）", "en": "What should change (sent to the author)"},
    "slack_reason_title": {"ja": "却下", "en": "Reject"},
    "slack_reason_label": {"ja": "理由（起案者に届きます）", "en": "Reason (sent to the author)"},
    "slack_urgent_title": {"ja": "緊急として承認", "en": "Approve as urgent"},
    "slack_urgent_label": {"ja": "緊急とする理由（災害、休館、安全など。監査記録に残ります）", "en": "Why it is urgent (disaster, closure, safety; kept in the audit log)"},
    "slack_decide_submit": {"ja": "送信", "en": "Send"},
    "slack_failed": {
        "ja": "処理できませんでした。時間をおいてもう一度お試しください。続く場合は担当者に連絡してください。",
        "en": "That could not be done. Please try again later; if it keeps failing, contact the administrator.",
    },
    "slack_dm_approved": {
        "ja": "✅ 投稿案 {id} が承認されました（{by}）。順に X へ投稿されます。",
        "en": "✅ Proposal {id} was approved by {by}. It goes out to X shortly.",
    },
    "slack_dm_published": {
        "ja": "📣 投稿案 {id} が X に投稿されました: {x_url}",
        "en": "📣 Proposal {id} is on X: {x_url}",
    },
    "slack_dm_rejected": {
        "ja": "投稿案 {id} は却下されました（{by}）。\n理由: {comment}",
        "en": "Proposal {id} was rejected by {by}.\nReason: {comment}",
    },
    "slack_dm_changes_requested": {
        "ja": "投稿案 {id} が差し戻されました（{by}）。\n修正してほしい点: {comment}\n「修正する」から直して再依頼できます。",
        "en": "Proposal {id} was sent back by {by}.\nWhat should change: {comment}\nUse \"Edit\" to fix it and resubmit.",
    },
}

# -- the audit log, for people: `xpost audit verify` and the CSV export ------------------

AUDIT_MESSAGES: dict[str, str] = {
    "ok": "ok: 監査ログに改ざんはありません（{count} 件、第{first}件〜第{last}件、末尾 {hash}） / "
          "the audit log is intact ({count} entries, {first} to {last}, head {hash})",
    "changed": "NG: 第{seq}件が書き換えられています / entry {seq} was changed",
    "removed": "NG: 第{seq}件が削除されています / entry {seq} was removed",
    "inserted": "NG: 第{seq}件の位置に記録が挿入されています / an entry was inserted at {seq}",
    "reordered": "NG: 第{seq}件から順序が入れ替えられています / entries were reordered at {seq}",
    "truncated": "NG: 第{seq}件以降が失われています（告知された先頭は第{head}件） / "
                 "entries from {seq} on are missing (the announced head is {head})",
    "head": "NG: 第{seq}件が告知された先頭のハッシュと一致しません（記録が書き換えられています） / "
            "entry {seq} does not match the announced head: the log was rewritten",
    "excerpt": "（抜粋: 第{first}件より前は確認していません / an excerpt: entries before {first} "
               "were not checked）",
}

AUDIT_CSV_HEADERS: list[str] = [
    "番号", "日時（日本時間）", "操作", "操作（記録名）", "対象", "版", "実行者", "実行者ID", "役割",
    "規則", "詳細", "前の記録のハッシュ", "この記録のハッシュ",
]

AUDIT_ACTION_LABELS: dict[str, str] = {
    "proposed": "投稿案の提出", "submitted": "承認依頼", "edited": "修正", "withdrawn": "取り下げ",
    "approved": "承認", "rejected": "却下", "changes_requested": "差し戻し",
    "retry_requested": "再試行の指示", "delete_requested": "削除の指示",
    "correction_proposed": "訂正案の作成", "account_suspended": "運用停止",
    "account_resumed": "運用再開", "follow_requested": "フォロー申請",
    "follow_approved": "フォロー承認", "follow_rejected": "フォロー却下",
    "follow_confirmed": "フォロー完了", "impersonation_reported": "なりすまし報告",
    "identity_checked": "X 認証情報の確認", "publish_started": "投稿開始",
    "publish_retry_scheduled": "投稿の再試行予定", "x_published": "X に投稿",
    "x_deleted": "X から削除", "x_deleted_for_correction": "訂正のため X から削除",
    "x_delete_failed": "X からの削除に失敗", "publish_failed": "投稿失敗",
    "publish_postponed": "投稿の延期", "publish_held_for_budget": "予算超過による保留",
    "budget_warning": "予算80%の警告", "budget_continued": "予算超過後の継続",
    "budget_hold_ended": "予算保留の終了", "rescheduled": "投稿日時の変更",
    "unscheduled": "予約の取り消し", "audit_head_announced": "監査ログ先頭の告知",
}

ROLE_LABELS: dict[str, str] = {"chief": "課長", "delegate": "代理者", "staff": "職員",
                               "system": "システム"}

STATE_LABELS: dict[str, dict[str, str]] = {
    "draft": {"ja": "下書き（未提出）", "en": "draft"},
    "pending": {"ja": "承認待ち", "en": "pending approval"},
    "changes_requested": {"ja": "差し戻し中", "en": "changes requested"},
    "approved": {"ja": "承認済み（投稿待ち）", "en": "approved (queued)"},
    "publishing": {"ja": "投稿中", "en": "publishing"},
    "published": {"ja": "投稿済み", "en": "published"},
    "rejected": {"ja": "却下", "en": "rejected"},
    "withdrawn": {"ja": "取り下げ", "en": "withdrawn"},
    "failed": {"ja": "投稿失敗", "en": "failed"},
    "deleting": {"ja": "削除中", "en": "deleting"},
    "deleted": {"ja": "削除済み", "en": "deleted"},
    "corrected": {"ja": "訂正済み（削除し訂正版を投稿）", "en": "corrected"},
}

ACTION_LABELS: dict[str, dict[str, str]] = {
    "submit": {"ja": "提出", "en": "submitted"},
    "edit": {"ja": "修正", "en": "edited"},
    "withdraw": {"ja": "取り下げ", "en": "withdrawn"},
    "publish": {"ja": "投稿", "en": "published"},
    "fail": {"ja": "失敗の記録", "en": "marked failed"},
    "retry": {"ja": "再試行", "en": "retried"},
    "delete": {"ja": "削除", "en": "deleted"},
    "correct": {"ja": "訂正", "en": "corrected"},
    "reschedule": {"ja": "日時の変更", "en": "rescheduled"},
    "unschedule": {"ja": "予約の取り消し", "en": "unscheduled"},
}


class _Lenient(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _label(table: dict[str, dict[str, str]], value: Any, lang: str) -> str:
    entry = table.get(str(value))
    return entry.get(lang, entry["ja"]) if entry else str(value)


def t(key: str, lang: str = DEFAULT_LANG, **params: Any) -> str:
    """The message `key` in `lang`, with its parameters filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    template = entry.get(lang) or entry["ja"]
    values = _Lenient(params)
    if "state" in params:
        values.setdefault("state_label", _label(STATE_LABELS, params["state"], lang))
    if "action" in params:
        values.setdefault("action_label", _label(ACTION_LABELS, params["action"], lang))
    return string.Formatter().vformat(template, (), values)


def state_label(state: Any, lang: str = DEFAULT_LANG) -> str:
    return _label(STATE_LABELS, getattr(state, "value", state), lang)
