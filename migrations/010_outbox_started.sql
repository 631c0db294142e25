-- A claimed batch's message is marked the moment it is handed to the relay
-- (started_at), so a sender that dies mid-batch strands that one message
-- only: the batch's messages never handed over go back to pending instead
-- of being declared uncertain (issue 14's kill -9 test found 49 of 50
-- stranded). Messages "sending" now were claimed by an older sender that
-- did not mark them: count them as handed over, the safe side.
alter table outbox add column started_at timestamptz;
update outbox set started_at = claimed_at where status = 'sending';
