-- Repository watching: what each poll saw, kept as history, and the HTTP
-- validators (ETag, Last-Modified) that make the next poll conditional.

create table http_validators (
    key           text primary key,
    etag          text not null default '',
    last_modified text not null default '',
    updated_at    timestamptz not null default now()
);

-- One row per watched repository, named as programs give it (lower case
-- owner/repo); current_name follows renames.
create table repos (
    name           text primary key,
    current_name   text not null,
    status         text not null default 'new' check (status in ('new', 'ok', 'not_found')),
    renamed_from   text not null default '',
    pushed_at      timestamptz,
    created_at     timestamptz,
    default_branch text not null default '',
    archived       boolean not null default false,
    stars          int not null default 0,
    forks          int not null default 0,
    open_issues    int not null default 0,
    license        text not null default '',
    last_polled_at timestamptz,
    commits_at     timestamptz,
    head_sha       text not null default '',
    issues_at      timestamptz,
    releases_at    timestamptz,
    checked_at     timestamptz,
    not_found_since timestamptz,
    last_error     text not null default '',
    -- When the repository last changed, and what its licence check found.
    changed_at         timestamptz,
    licence_spdx       text not null default '',
    licence_open       boolean,
    licence_category   text not null default '',
    licence_confidence double precision not null default 0,
    licence_reason     text not null default '',
    licence_files      jsonb not null default '[]',
    licence_checked_at timestamptz
);

create table repo_snapshots (
    id              bigserial primary key,
    repo            text not null references repos on delete cascade,
    polled_at       timestamptz not null,
    pushed_at       timestamptz,
    default_branch  text not null,
    archived        boolean not null,
    stars           int not null,
    forks           int not null,
    open_issues     int not null,
    commits         int not null,
    authors         text[] not null,
    issues_opened   int not null,
    issues_closed   int not null,
    prs_opened      int not null,
    prs_closed      int not null,
    first_responses int not null,
    releases        int not null,
    license         text not null
);

create index repo_snapshots_repo_idx on repo_snapshots (repo, polled_at);

create table repo_commits (
    repo         text not null references repos on delete cascade,
    sha          text not null,
    author       text not null,
    committed_at timestamptz not null,
    primary key (repo, sha)
);

create table repo_issues (
    repo              text not null references repos on delete cascade,
    number            int not null,
    is_pr             boolean not null,
    author            text not null,
    created_at        timestamptz not null,
    closed_at         timestamptz,
    first_response_at timestamptz,
    primary key (repo, number)
);

create table repo_releases (
    repo         text not null references repos on delete cascade,
    tag          text not null,
    published_at timestamptz not null,
    primary key (repo, tag)
);

---- create above / drop below ----

drop table repo_releases;
drop table repo_issues;
drop table repo_commits;
drop table repo_snapshots;
drop table repos;
drop table http_validators;
