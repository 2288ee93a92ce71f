# bash completion for kmsctl.
# With the bash-completion package (Debian and Ubuntu install it by default;
# on macOS: brew install bash bash-completion@2), for your user:
#   mkdir -p ~/.local/share/bash-completion/completions
#   kmsctl completion bash > ~/.local/share/bash-completion/completions/kmsctl
# Without it (minimal images, macOS's own bash 3.2):
#   echo 'eval "$(kmsctl completion bash)"' >> ~/.bashrc    (~/.bash_profile on macOS)
#
# kmsctl answers itself: "kmsctl __complete WORD... CURRENT" walks its
# command tree (it never runs a command) and prints one candidate per line,
# a tab and a description, then a directive line (:none, :files, :dirs).
# Written for bash 3.2 and later.
_kmsctl() {
  local cword=$COMP_CWORD i w n=0
  local -a words
  ((cword > 0)) || return 0
  # Put back together what bash split at COMP_WORDBREAKS (--format=json,
  # HOST:PORT), so that kmsctl sees the words as typed.
  for ((i = 1; i <= cword; i++)); do
    w=${COMP_WORDS[i]}
    if ((n > 0)) && [[ $w == [=:]* || ${words[n-1]} == *[=:] ]] &&
      [[ $COMP_LINE == *"${words[n-1]}$w"* ]]; then
      words[n-1]=${words[n-1]}$w
    else
      words[n]=$w
      n=$((n + 1))
    fi
  done
  local cur=${COMP_WORDS[cword]} typed=${words[n-1]} strip=
  # Readline replaces only the text after the last = or : (j of
  # --format=j), so the candidates lose what comes before.
  if [[ $typed != "$cur" || $cur == [=:] ]]; then
    strip=${typed%"${typed##*[=:]}"}
    [[ $cur == [=:] ]] && cur=
  fi
  # Unquote the word being completed: "Windows 10 -> Windows 10.
  local unq=$typed
  case $unq in \"*) unq=${unq#\"} ;; \'*) unq=${unq#\'} ;; *) unq=${unq//\\/} ;; esac
  words[n-1]=$unq
  local out
  out=$("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null) || return 0
  local directive=${out##*$'\n'} line value
  case $out in *$'\n'*) out=${out%$'\n'*} ;; *) out= ;; esac
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    value=${line%%$'\t'*}
    value=${value#"$strip"}
    case $typed in
    \"* | \'*) COMPREPLY[${#COMPREPLY[@]}]="${typed:0:1}${value}${typed:0:1}" ;;
    *) COMPREPLY[${#COMPREPLY[@]}]=$(printf '%q' "$value") ;;
    esac
  done <<<"$out"
  case $directive in
  :files | :dirs)
    local flag=-f
    [[ $directive == :dirs ]] && flag=-d
    while IFS= read -r line; do
      [[ -n $line ]] && COMPREPLY[${#COMPREPLY[@]}]=$line
    done <<<"$(compgen $flag -- "$cur")"
    compopt -o filenames 2>/dev/null
    ;;
  esac
  return 0
}
complete -F _kmsctl kmsctl
