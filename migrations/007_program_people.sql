-- Who each program names as holder or mentor, one row each, in lower case
-- and indexed: deciding who someone is (on every signed-in request) reads
-- it by address instead of unnesting every program's lists. The projection
-- (SaveProgram) keeps it with the programs row.
create table program_people (
    edition text not null,
    project text not null,
    email   text not null check (email = lower(email)),
    role    text not null check (role in ('holder', 'mentor')),
    primary key (edition, project, role, email),
    foreign key (edition, project) references programs on delete cascade
);

create index program_people_email_idx on program_people (email);

insert into program_people (edition, project, email, role)
select distinct edition, project, lower(h), 'holder' from programs, unnest(holders) h
union
select distinct edition, project, lower(m), 'mentor' from programs, unnest(mentors) m;

-- Programs are listed by city (the dashboard, the pre-filter of who may
-- see what).
create index programs_city_idx on programs (lower(city));

---- create above / drop below ----

drop index programs_city_idx;
drop table program_people;
