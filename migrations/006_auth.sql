-- Sign-in and roles. Holders and mentors are not granted here: they are
-- read from each program's own lists (programs.holders, programs.mentors),
-- which the workflow keeps, so assigning or removing one grants or revokes
-- at once. Grants hold the roles no program carries.
create table grants (
    id         bigserial primary key,
    email      text not null check (email = lower(email)),
    role       text not null check (role in ('coordinator', 'jury', 'funder')),
    -- coordinator: '' for every city, else one city; jury: the city.
    city       text not null default '',
    -- jury: the edition whose demos they score.
    edition    text not null default '',
    -- funder: the funder's slug (programs are linked in program_funders).
    funder     text not null default '',
    created_at timestamptz not null default now(),
    created_by text not null default '',
    unique (email, role, city, edition, funder)
);

create index grants_email_idx on grants (email);

-- Which funder funds which program.
create table program_funders (
    edition text not null,
    project text not null,
    funder  text not null,
    primary key (edition, project, funder),
    foreign key (edition, project) references programs on delete cascade
);

-- Magic links: only the SHA-256 of the 32 random bytes is kept. Single use
-- (used_at), 15 minutes (expires_at).
create table magic_links (
    hash       bytea primary key,
    email      text not null,
    next       text not null default '/',
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz
);

-- Every request for a link, known address or not, for rate limits.
create table signin_requests (
    email text not null,
    ip    text not null,
    at    timestamptz not null default now()
);

create index signin_requests_email_idx on signin_requests (email, at);
create index signin_requests_ip_idx on signin_requests (ip, at);

-- Web sessions, as github.com/alexedwards/scs/pgxstore expects them.
create table sessions (
    token  text primary key,
    data   bytea not null,
    expiry timestamptz not null
);

create index sessions_expiry_idx on sessions (expiry);

-- API tokens for the CLI and integrations: SHA-256 of the secret only.
create table api_tokens (
    id           bigserial primary key,
    email        text not null,
    name         text not null,
    hash         bytea not null unique,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

create index api_tokens_email_idx on api_tokens (email);

-- Private calendar feeds: one per person, the SHA-256 of its secret.
create table calendar_feeds (
    email      text primary key,
    hash       bytea not null unique,
    created_at timestamptz not null default now()
);

-- "Sign out everywhere" bumps it: sessions carry the epoch they began in.
alter table people add column session_epoch int not null default 0;

-- What the call for projects asks beyond the workflow's own fields, and
-- the holders' opt-in to the public board.
alter table programs
    add column summary        text not null default '',
    add column licence_intent text not null default '',
    add column public         boolean not null default false;

---- create above / drop below ----

alter table programs drop column public, drop column licence_intent, drop column summary;
alter table people drop column session_epoch;
drop table calendar_feeds;
drop table api_tokens;
drop table sessions;
drop table signin_requests;
drop table magic_links;
drop table program_funders;
drop table grants;
