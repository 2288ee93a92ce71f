# bash completion for kmsctl. Install:
#   kmsctl completion bash | sudo tee /etc/bash_completion.d/kmsctl >/dev/null
# or for one user: kmsctl completion bash > ~/.local/share/bash-completion/completions/kmsctl
_kmsctl_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=("${COMP_WORDS[@]:0:COMP_CWORD}")
  local IFS=$'\n'
  # kmsctl lists the commands and flags that fit what is typed so far.
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$("${words[@]}" --generate-bash-completion 2>/dev/null)" -- "$cur"))
  fi
  return 0
}
complete -o bashdefault -o default -F _kmsctl_complete kmsctl
