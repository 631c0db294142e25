-- Lists that stay fast at 10,000 programs (internal/store/lists.go).

-- How many programs each (edition, city, phase, theme) holds, kept by the
-- trigger below in the same transaction as the programs row, so it is
-- exactly what programs holds in any snapshot. Pages read visibility (by
-- edition, city and phase: see auth.ViewScope), their counts and their
-- filters' choices from these few hundred rows instead of counting every
-- program. A group left with no program keeps its row, at 0.
create table program_groups (
    edition  text not null,
    city     text not null,
    phase    text not null,
    theme    text not null,
    programs int not null,
    primary key (edition, city, phase, theme)
);

insert into program_groups (edition, city, phase, theme, programs)
select edition, city, phase, theme, count(*) from programs group by 1, 2, 3, 4;

-- Adds each change's count to its group's. The rows a change touches are
-- written in their key's order, so two transactions moving programs
-- between the same two groups never wait on each other in a cycle. A
-- group leaving is always counted (its row exists since a program
-- entered it): only entering may need a new row.
create function program_groups_add(changes program_groups[]) returns void language plpgsql as $$
declare
    c program_groups;
begin
    for c in select * from unnest(changes) x order by x.edition, x.city, x.phase, x.theme loop
        if c.programs > 0 then
            insert into program_groups as g (edition, city, phase, theme, programs)
            values (c.edition, c.city, c.phase, c.theme, c.programs)
            on conflict (edition, city, phase, theme) do update set programs = g.programs + excluded.programs;
        else
            update program_groups g set programs = g.programs + c.programs
            where g.edition = c.edition and g.city = c.city and g.phase = c.phase and g.theme = c.theme;
        end if;
    end loop;
end
$$;

create function program_groups_count() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' then
        perform program_groups_add(array[row(new.edition, new.city, new.phase, new.theme, 1)::program_groups]);
    elsif tg_op = 'DELETE' then
        perform program_groups_add(array[row(old.edition, old.city, old.phase, old.theme, -1)::program_groups]);
    elsif (old.edition, old.city, old.phase, old.theme) is distinct from (new.edition, new.city, new.phase, new.theme) then
        perform program_groups_add(array[row(old.edition, old.city, old.phase, old.theme, -1)::program_groups,
                                         row(new.edition, new.city, new.phase, new.theme, 1)::program_groups]);
    end if;
    return null;
end
$$;

create trigger programs_groups_count after insert or delete or update of edition, city, phase, theme on programs
    for each row execute function program_groups_count();

create function program_groups_truncate() returns trigger language plpgsql as $$
begin
    update program_groups set programs = 0;
    return null;
end
$$;

create trigger programs_groups_truncate after truncate on programs
    for each statement execute function program_groups_truncate();

-- The programs of some groups (a coordinator of a city, a jury seat) or
-- of some cities (the dashboard's filter), for pages that read them.
create index programs_city_phase_idx on programs (city, phase, edition);

-- Programs listing an address that is not ASCII: the rare rows a person's
-- programs are looked for among besides their own address.
create index program_people_unascii_idx on program_people (edition, project) where email !~ '^[\x01-\x7f]*$';

-- Overdue steps, most overdue first.
create index milestones_overdue_idx on milestones (due, edition, project, position) where status in ('open', 'submitted');

-- Undelivered messages, in program order.
create index outbox_undelivered_idx on outbox (edition, project, created_at) where status in ('failed', 'uncertain');

-- The public board.
create index programs_public_idx on programs (edition, project) where public and phase <> 'rejected';

---- create above / drop below ----

drop index programs_public_idx;
drop index outbox_undelivered_idx;
drop index milestones_overdue_idx;
drop index program_people_unascii_idx;
drop index programs_city_phase_idx;
drop trigger programs_groups_truncate on programs;
drop function program_groups_truncate();
drop trigger programs_groups_count on programs;
drop function program_groups_count();
drop function program_groups_add(program_groups[]);
drop table program_groups;
