#compdef kmsctl
# zsh completion for kmsctl. Install, then start a new zsh:
#   mkdir -p ~/.zfunc && kmsctl completion zsh > ~/.zfunc/_kmsctl
#   and in ~/.zshrc, before compinit:  fpath=(~/.zfunc $fpath)
# or, without a file:  echo 'source <(kmsctl completion zsh)' >> ~/.zshrc
# (after compinit; oh-my-zsh and prezto run compinit for you).
#
# kmsctl answers itself: "kmsctl __complete WORD... CURRENT" walks its
# command tree (it never runs a command) and prints one candidate per line,
# a tab and a description, then a directive line (:none, :files, :dirs).
_kmsctl() {
  local -a lines cands
  local line directive
  lines=("${(@f)$(${words[1]} __complete "${(@Q)words[2,CURRENT-1]}" "${(Q)PREFIX}" 2>/dev/null)}")
  directive=${lines[-1]}
  lines[-1]=()
  # _describe reads "VALUE:DESCRIPTION" and takes a backslash in either
  # part as an escape (DOMAIN\user would show as DOMAINuser): double every
  # backslash, then escape the value's colons.
  for line in "${lines[@]}"; do
    [[ -n $line ]] || continue
    line=${line//\\/\\\\}
    if [[ $line == *$'\t'* ]]; then
      cands+=("${${line%%$'\t'*}//:/\\:}:${line#*$'\t'}")
    else
      cands+=("${line//:/\\:}")
    fi
  done
  local ret=1
  # kmsctl has matched them already, in any case and by other spellings
  # (c004 for 0xC004F074): -U keeps zsh from filtering them again by the
  # typed prefix, and the word is replaced with the one chosen.
  (( ${#cands} )) && _describe -t kmsctl 'kmsctl' cands -U && ret=0
  # A path given as --flag=PATH: complete the part after the first "=".
  [[ $directive == :(files|dirs) && $PREFIX == -*=* ]] && compset -P 1 '*='
  case $directive in
    :files) _files && ret=0 ;;
    :dirs) _files -/ && ret=0 ;;
  esac
  return ret
}

if [[ $funcstack[1] == _kmsctl ]]; then
  _kmsctl "$@"
else
  compdef _kmsctl kmsctl
fi
