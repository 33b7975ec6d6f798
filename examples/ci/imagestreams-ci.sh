#!/usr/bin/env bash
# The imagestreams steps of the CI recipes (github/imagestreams.yml, gitlab/.gitlab-ci.yml). Copy it to
# ci/imagestreams-ci.sh in the repository that holds imagestreams.yaml and its state.
#
#   imagestreams-ci.sh plan DIR         on a pull request: saves the plan to DIR/plan.bin and writes it as markdown
#                                       to DIR/plan.md, the log and the summary. Exit 0 (changes or not), 1 on errors.
#   imagestreams-ci.sh comment FILE     posts FILE (the markdown plan) on the pull request (GitHub) or merge request
#                                       (GitLab), editing the comment an earlier run posted, found by its marker.
#   imagestreams-ci.sh apply [PLANFILE] after merge, on the branch's newest commit: applies PLANFILE (the plan
#                                       reviewed in the pull request) when it is still valid, else plans afresh and
#                                       says why; commits the state and pushes it (fetch, rebase, retry), also when
#                                       an import failed, and then exits 1 if one did.
#
# Environment (all optional):
#   IMAGESTREAMS_CATALOG         the catalog (default imagestreams.yaml)
#   IMAGESTREAMS_STATE           the state file to commit (default imagestreams.state.json beside the catalog; set
#                                it when the catalog's `state:` names another file)
#   IMAGESTREAMS_AUTHFILE        registry credentials (auth.json); ignored when the file is missing or empty
#   IMAGESTREAMS_PLAN_KEY        signs saved plans and checks them (read by imagestreams); ignored when empty, as a
#                                secret is in a pull request from a fork
#   IMAGESTREAMS_BRANCH          the branch the state is committed to (default $GITHUB_REF_NAME, $CI_COMMIT_BRANCH)
#   IMAGESTREAMS_REMOTE          the remote pushed to (default origin)
#   IMAGESTREAMS_PUSH_ATTEMPTS   how many times apply tries to land its commit (default 5)
#   IMAGESTREAMS_SUMMARY         a markdown file the outcome is appended to (default $GITHUB_STEP_SUMMARY)
#   IMAGESTREAMS_NO_PLAN_REASON  why there is no reviewed plan to apply, for the summary
#   GITHUB_TOKEN                 comment on GitHub: the job's token (pull-requests: write)
#   IMAGESTREAMS_GITLAB_TOKEN    comment on GitLab: a project access token (api scope); none: no comment
set -euo pipefail

catalog=${IMAGESTREAMS_CATALOG:-imagestreams.yaml}
state=${IMAGESTREAMS_STATE:-$(dirname -- "$catalog")/imagestreams.state.json}
remote=${IMAGESTREAMS_REMOTE:-origin}
summary_file=${IMAGESTREAMS_SUMMARY:-${GITHUB_STEP_SUMMARY:-}}
[[ -n ${IMAGESTREAMS_PLAN_KEY:-} ]] || unset IMAGESTREAMS_PLAN_KEY
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT

cli_args=(--file "$catalog")
if [[ -s ${IMAGESTREAMS_AUTHFILE:-} ]]; then cli_args+=(--authfile "$IMAGESTREAMS_AUTHFILE"); fi

summary() { # paragraphs, each followed by a blank line
  if [[ -n $summary_file ]]; then printf '%s\n\n' "$@" >>"$summary_file"; fi
}

summary_block() { # a file, as a fenced block
  local fence='```'
  summary "$fence"text$'\n'"$(cat -- "$1")"$'\n'"$fence"
}

output() { # a step output (GitHub Actions)
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then printf '%s\n' "$@" >>"$GITHUB_OUTPUT"; fi
}

plan() {
  local dir=${1:?usage: imagestreams-ci.sh plan DIR}
  mkdir -p -- "$dir"
  rm -f -- "$dir/plan.bin" "$dir/plan.md"
  local code=0
  imagestreams plan "${cli_args[@]}" --out "$dir/plan.bin" --format markdown --detailed-exitcode >"$dir/plan.md" ||
    code=$?
  if [[ ! -s $dir/plan.md ]]; then
    printf '<!-- imagestreams-plan -->\n**imagestreams plan failed** (exit %s) before it could plan: the job log says why.\n' \
      "$code" >"$dir/plan.md"
  fi
  cat -- "$dir/plan.md"
  summary "$(cat -- "$dir/plan.md")"
  if [[ -z ${IMAGESTREAMS_PLAN_KEY:-} && -s $dir/plan.bin ]]; then
    summary '_The saved plan is not signed: IMAGESTREAMS_PLAN_KEY is not available to this job._'
  fi
  output "exitcode=$code" "markdown=$dir/plan.md"
  [[ $code -eq 0 || $code -eq 2 ]]
}

branch() {
  local name=${IMAGESTREAMS_BRANCH:-${GITHUB_REF_NAME:-${CI_COMMIT_BRANCH:-}}}
  [[ -n $name ]] || {
    echo 'imagestreams-ci.sh: set IMAGESTREAMS_BRANCH to the branch the state is committed to' >&2
    exit 1
  }
  printf '%s' "$name"
}

# Moves to the newest commit of the branch: the job may have started on an older one, before another apply landed.
sync_branch() {
  git fetch --quiet "$remote" "+refs/heads/$1:refs/remotes/$remote/$1"
  git checkout --quiet -B "$1" "refs/remotes/$remote/$1"
}

# Applies the saved plan $1; on a refusal (stale, for another state, unsigned, edited) plans afresh. Sets `applied`.
apply_saved_or_fresh() {
  local plan=$1 out=$scratch/apply.out err=$scratch/apply.err code=0
  if [[ -z $plan || ! -f $plan ]]; then
    summary "**Planned afresh:** ${IMAGESTREAMS_NO_PLAN_REASON:-no plan was saved in the pull request}."
    apply_fresh
    return
  fi
  imagestreams apply "${cli_args[@]}" "$plan" >"$out" 2>"$err" || code=$?
  cat -- "$out"
  cat -- "$err" >&2
  if [[ $code -ne 0 ]] && ! grep -q '^Apply ' "$out"; then
    # Nothing was imported: the plan was refused before any import.
    summary "**Planned afresh:** the plan reviewed in the pull request was not applied: $(refusal "$err")."
    apply_fresh
    return
  fi
  summary '**Applied the plan reviewed in the pull request.**'
  if [[ -z ${IMAGESTREAMS_PLAN_KEY:-} ]]; then
    summary '_Its signature was not checked: IMAGESTREAMS_PLAN_KEY is not available to this job._'
  fi
  summary_block "$out"
  applied=$code
}

refusal() { # the CLI's error line, without its prefix
  grep -m1 '^error: ' "$1" | sed 's/^error: //; s/[.;]* run plan again$//' || echo 'apply refused it'
}

apply_fresh() {
  local out=$scratch/apply.out code=0
  imagestreams apply "${cli_args[@]}" --auto-approve >"$out" || code=$?
  cat -- "$out"
  summary_block "$out"
  applied=$code
}

commit_state() {
  [[ -e $state ]] || return 0
  git add -- "$state"
  git diff --cached --quiet && return 0
  if [[ -z $(git config user.email || true) ]]; then
    git config user.name imagestreams
    git config user.email imagestreams@localhost
  fi
  git commit --quiet -m "imagestreams: apply $(git rev-parse --short HEAD)" -- "$state"
}

# Pushes HEAD to the branch; when another commit landed first, rebases onto it and tries again. A rebase that
# conflicts (another apply changed the state) fails: the caller applies again on top of it. A push refused for
# another reason (permissions, a protected branch) ends the job.
push_state() {
  local name=$1 tip=refs/remotes/$remote/$1
  git push --quiet "$remote" "HEAD:refs/heads/$name" && return 0
  git fetch --quiet "$remote" "+refs/heads/$name:$tip"
  if git merge-base --is-ancestor "$tip" HEAD; then
    summary "**The state was not pushed:** the remote refused the push to $name (the job log says why)."
    exit 1
  fi
  if ! git rebase --quiet "$tip"; then
    git rebase --abort
    return 1
  fi
  git push --quiet "$remote" "HEAD:refs/heads/$name"
}

apply() {
  local plan=${1:-} name attempts=${IMAGESTREAMS_PUSH_ATTEMPTS:-5} attempt applied=0
  name=$(branch)
  for ((attempt = 1; attempt <= attempts; attempt++)); do
    sync_branch "$name"
    apply_saved_or_fresh "$plan"
    commit_state
    if push_state "$name"; then
      [[ $applied -eq 0 ]] || summary '**An import failed:** the imports that succeeded are recorded in the state committed.'
      return "$applied"
    fi
    summary "**Another commit changed the state first** (attempt $attempt of $attempts): applying again on top of it."
    plan='' IMAGESTREAMS_NO_PLAN_REASON='the state changed since the reviewed plan was made'
  done
  summary "**The state was not pushed** after $attempts attempts."
  return 1
}

# The REST calls of `comment`, in the Node.js the job already has: GitHub's issue comments or GitLab's merge request
# notes. A comment is ours when it holds the marker and was written by the same account (another's is left alone).
comment() {
  local file=${1:?usage: imagestreams-ci.sh comment FILE}
  node --input-type=module - "$file" <<'JS'
import { readFileSync } from 'node:fs';

const MARKER = '<!-- imagestreams-plan -->';
const env = process.env;
const body = readFileSync(process.argv[2], 'utf8');
const api = env.GITLAB_CI === 'true' ? gitlab() : github();
if (!api.token) {
  console.log(`imagestreams-ci.sh: no comment: ${api.tokenName} is not set (as in a pull request from a fork)`);
  process.exit(0);
}

async function call(method, url, data) {
  const headers = { ...api.headers, 'content-type': 'application/json' };
  const response = await fetch(url, { method, headers, body: data && JSON.stringify(data) });
  if (!response.ok) throw new Error(`${method} ${new URL(url).pathname}: HTTP ${response.status}`);
  return response.json();
}

function github() {
  const number = /^refs\/pull\/(\d+)\//.exec(env.GITHUB_REF ?? '')?.[1];
  const issue = `${env.GITHUB_API_URL}/repos/${env.GITHUB_REPOSITORY}/issues`;
  const author = env.IMAGESTREAMS_COMMENT_AUTHOR ?? 'github-actions[bot]';
  return {
    token: env.GITHUB_TOKEN,
    tokenName: 'GITHUB_TOKEN',
    headers: { authorization: `Bearer ${env.GITHUB_TOKEN}`, accept: 'application/vnd.github+json' },
    page: (n) => `${issue}/${number}/comments?per_page=100&page=${n}`,
    isMine: async (c) => c.user?.login === author,
    create: () => call('POST', `${issue}/${number}/comments`, { body }),
    update: (id) => call('PATCH', `${issue}/comments/${id}`, { body }),
  };
}

function gitlab() {
  const notes = `${env.CI_API_V4_URL}/projects/${env.CI_PROJECT_ID}/merge_requests/${env.CI_MERGE_REQUEST_IID}/notes`;
  let me;
  return {
    token: env.IMAGESTREAMS_GITLAB_TOKEN,
    tokenName: 'IMAGESTREAMS_GITLAB_TOKEN',
    headers: { 'private-token': env.IMAGESTREAMS_GITLAB_TOKEN },
    page: (n) => `${notes}?per_page=100&page=${n}&sort=asc`,
    isMine: async (n) => n.author?.id === (me ??= (await call('GET', `${env.CI_API_V4_URL}/user`)).id),
    create: () => call('POST', notes, { body }),
    update: (id) => call('PUT', `${notes}/${id}`, { body }),
  };
}

async function earlierComment() {
  for (let n = 1; ; n++) {
    const comments = await call('GET', api.page(n));
    for (const c of comments) if (c.body?.includes(MARKER) && (await api.isMine(c))) return c.id;
    if (comments.length < 100) return undefined;
  }
}

try {
  const id = await earlierComment();
  await (id === undefined ? api.create() : api.update(id));
  console.log(id === undefined ? 'imagestreams-ci.sh: plan comment posted' : 'imagestreams-ci.sh: plan comment updated');
} catch (error) {
  console.error(`imagestreams-ci.sh: the plan comment failed: ${error.message}`);
  process.exit(1);
}
JS
}

case ${1:-} in
plan | apply | comment)
  command=$1
  shift
  "$command" "$@"
  ;;
*)
  echo 'usage: imagestreams-ci.sh plan DIR | comment FILE | apply [PLANFILE]' >&2
  exit 64
  ;;
esac
