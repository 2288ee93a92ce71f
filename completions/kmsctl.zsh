#compdef kmsctl
# zsh completion for kmsctl. Install:
#   kmsctl completion zsh > "${fpath[1]}/_kmsctl"   (then restart zsh)

_kmsctl() {
  local -a candidates
  local cur=${words[CURRENT]}
  if [[ "$cur" == -* ]]; then
    candidates=("${(@f)$(${words[1,CURRENT-1]} "$cur" --generate-bash-completion 2>/dev/null)}")
  else
    candidates=("${(@f)$(${words[1,CURRENT-1]} --generate-bash-completion 2>/dev/null)}")
  fi
  if [[ -n "${candidates[1]}" ]]; then
    _describe 'kmsctl' candidates
  else
    _files
  fi
}

compdef _kmsctl kmsctl
