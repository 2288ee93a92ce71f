# fish completion for kmsctl. Install:
#   kmsctl completion fish > ~/.config/fish/completions/kmsctl.fish
#
# kmsctl answers itself: "kmsctl __complete WORD... CURRENT" walks its
# command tree (it never runs a command) and prints one candidate per line,
# a tab and a description, then a directive line (:none, :files, :dirs).
function __kmsctl_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l out (command $words[1] __complete $words[2..-1] (string unescape -- $cur) 2>/dev/null)
    or return
    set -l directive $out[-1]
    set -e out[-1]
    printf '%s\n' $out
    switch $directive
        case :files
            # fish's own file completion, as __fish_complete_directories
            # uses it: it reads the token as typed (quotes, backslashes)
            # and keeps a --flag= before the path.
            complete -C"__kmsctl_no_such_command $cur"
        case :dirs
            __fish_complete_directories $cur ''
    end
end
complete -c kmsctl -f -a '(__kmsctl_complete)'
