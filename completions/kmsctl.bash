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

# __kmsctl_dequote WORD sets __kmsctl_word to WORD as kmsctl receives it
# (quotes and backslashes removed) and __kmsctl_quote to the quote left
# open at its end ('' when none).
__kmsctl_dequote() {
  local w=$1 out= q= c i
  for ((i = 0; i < ${#w}; i++)); do
    c=${w:i:1}
    if [[ $q == "'" ]]; then
      if [[ $c == "'" ]]; then q=; else out=$out$c; fi
    elif [[ $c == '\' ]] && [[ -z $q || ${w:i+1:1} == [\$\`\"\\] ]]; then
      i=$((i + 1))
      out=$out${w:i:1}
    elif [[ $c == '"' ]]; then
      if [[ -n $q ]]; then q=; else q=\"; fi
    elif [[ -z $q && $c == "'" ]]; then
      q=\'
    else
      out=$out$c
    fi
  done
  __kmsctl_word=$out __kmsctl_quote=$q
}

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
  # $2 is the text readline replaces: the end of the typed word after its
  # last = or : (COMP_WORDBREAKS), or after the quote left open. What
  # comes before it stays on the line, so each candidate is cut to what
  # follows it.
  local text=${2-${COMP_WORDS[cword]}} typed=${words[n-1]}
  [[ $text == [=:] ]] && text=
  local keep=
  [[ $typed == *"$text" ]] && keep=${typed%"$text"}
  __kmsctl_dequote "$keep"
  local kept=$__kmsctl_word quote=$__kmsctl_quote
  for ((i = 0; i < n; i++)); do
    __kmsctl_dequote "${words[i]}"
    words[i]=$__kmsctl_word
  done
  local out
  out=$("${COMP_WORDS[0]}" __complete "${words[@]}" 2>/dev/null) || return 0
  local directive=${out##*$'\n'} line value
  case $out in *$'\n'*) out=${out%$'\n'*} ;; *) out= ;; esac
  COMPREPLY=()
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    value=${line%%$'\t'*}
    # kmsctl matches in any case: cut what stays on the line by its length.
    value=${value:${#kept}}
    case $quote in
    \')
      value=${value//\'/\'\\\'\'}
      value=\'$value\'
      ;;
    \")
      value=${value//\\/\\\\}
      value=${value//\"/\\\"}
      value=${value//\$/\\\$}
      value=${value//\`/\\\`}
      value=\"$value\"
      ;;
    *) printf -v value '%q' "$value" ;;
    esac
    COMPREPLY[${#COMPREPLY[@]}]=$value
  done <<<"$out"
  case $directive in
  :files | :dirs)
    local flag=-f
    [[ $directive == :dirs ]] && flag=-d
    # compgen takes the name as it is, readline quotes what it inserts.
    __kmsctl_dequote "$text"
    while IFS= read -r line; do
      [[ -n $line ]] && COMPREPLY[${#COMPREPLY[@]}]=$line
    done <<<"$(compgen $flag -- "$__kmsctl_word")"
    compopt -o filenames 2>/dev/null
    ;;
  esac
  return 0
}
complete -F _kmsctl kmsctl
