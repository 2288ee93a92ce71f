# kmsctl fish shell completion

function __fish_kmsctl_no_subcommand --description 'Test if there has been any subcommand yet'
    for i in (commandline -opc)
        if contains -- $i status products completion
            return 1
        end
    end
    return 0
end

complete -c kmsctl -n '__fish_kmsctl_no_subcommand' -f -l state-dir -r -d 'keep kmsctl\'s state (client identity) in `DIR`'
complete -c kmsctl -n '__fish_kmsctl_no_subcommand' -f -l no-color -d 'never colour the output (NO_COLOR is honoured too)'
complete -c kmsctl -n '__fish_kmsctl_no_subcommand' -f -l help -s h -d 'show help'
complete -c kmsctl -n '__fish_kmsctl_no_subcommand' -f -l version -s v -d 'print the version'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l help -s h -d 'show help'
complete -r -c kmsctl -n '__fish_kmsctl_no_subcommand' -a 'status' -d 'ask KMS hosts how many clients they count for each product group'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l product -s p -r -d 'ask about the group of `NAME` (name, SKU ID, GVLK or an unambiguous part of a name; repeatable)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l protocol -r -d 'send KMS protocol version `N` (4, 5 or 6) instead of each product\'s own'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l timeout -r -d 'give up on a host after `DURATION` (with one host: the whole command)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l deadline -r -d 'bound the whole run to `DURATION` (default: enough for every host to time out once)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l hosts-file -r -d 'probe every host listed in `FILE` (one HOST[:PORT] per line, # comments)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l concurrency -r -d 'probe at most `N` hosts at once'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l cmid -r -d 'use client machine ID `GUID` for this run instead of the stored one'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l json -d 'print JSON (schema in README)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l format -r -d 'output `FORMAT`: table (default; TSV when piped), json or prometheus'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l check -d 'act as a Nagios/Icinga plugin: one status line with performance data, exit 0/1/2/3'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l warn-below -r -d 'with --check: WARNING when a count is below `N` (default: threshold + threshold/5)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l crit-below -r -d 'with --check: CRITICAL when a count is below `N` (default: the threshold)'
complete -c kmsctl -n '__fish_seen_subcommand_from status' -f -l max-latency -r -d 'with --check: WARNING when a host answers slower than `DURATION`'
complete -c kmsctl -n '__fish_seen_subcommand_from products' -f -l help -s h -d 'show help'
complete -r -c kmsctl -n '__fish_kmsctl_no_subcommand' -a 'products' -d 'list the products kmsctl knows, with their KMS group, threshold and protocol'
complete -c kmsctl -n '__fish_seen_subcommand_from products' -f -l json -d 'print JSON'
complete -c kmsctl -n '__fish_seen_subcommand_from completion' -f -l help -s h -d 'show help'
complete -r -c kmsctl -n '__fish_kmsctl_no_subcommand' -a 'completion' -d 'print the shell completion script for bash, zsh, fish or powershell'
