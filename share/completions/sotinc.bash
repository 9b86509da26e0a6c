# bash completion for sotinc. Installed as
# /usr/share/bash-completion/completions/sotinc; or add to ~/.bashrc:
#   source /path/to/share/completions/sotinc.bash
#
# The commands and options are read from the sotinc being completed
# (`sotinc help --commands`, one line per command: its words, a tab, its
# options, a trailing '=' on those that take a value), so completion always
# matches that sotinc's version. Rule ids come from `sotinc graph`, refs from
# git. Needs no bash-completion helpers.

_sotinc_table() {
    command "$1" help --commands 2>/dev/null || command sotinc help --commands 2>/dev/null
}

_sotinc_children() {  # TABLE PATH: the subcommands one level below PATH
    cut -f1 <<<"$1" | awk -v p="$2" '
        p == "" && NF == 1 { print; next }
        p != "" && index($0, p " ") == 1 && NF == split(p, a, " ") + 1 { print $NF }'
}

_sotinc_is_command() {  # WORDS: a command of $table (the caller's local)
    cut -f1 <<<"$table" | grep -q -x -F -- "$1"
}

_sotinc() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local prog=${COMP_WORDS[0]}
    local table
    table=$(_sotinc_table "$prog") || return 0
    COMPREPLY=()

    # The options that take a value, from the table.
    local valued=" " word
    for word in $(cut -f2 <<<"$table"); do
        [[ $word == *= ]] && valued+="${word%=} "
    done

    # Walk the words before the cursor: the command path, -C and --config.
    local path= named= dir= config= i w
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == -* ]]; then
            if [[ $valued == *" $w "* ]]; then
                [[ $w == -C ]] && dir=${COMP_WORDS[i + 1]}
                [[ $w == --config ]] && config=${COMP_WORDS[i + 1]}
                ((i++))
            fi
            continue
        fi
        if [[ $path == help ]]; then
            # `sotinc help cache gc`: the words name the command to describe.
            _sotinc_is_command "${named:+$named }$w" && named="${named:+$named }$w"
        elif _sotinc_is_command "${path:+$path }$w"; then
            path="${path:+$path }$w"
        fi
    done
    local -a here=(${dir:+-C "$dir"} ${config:+--config "$config"})

    # The value of an option.
    if [[ $valued == *" $prev "* ]]; then
        case $prev in
            -C | --cache-dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
            --config | --output | --trace) COMPREPLY=($(compgen -f -- "$cur")) ;;
            --format) COMPREPLY=($(compgen -W "text json sarif junit" -- "$cur")) ;;
            --fail-on) COMPREPLY=($(compgen -W "error warning" -- "$cur")) ;;
            --report)
                COMPREPLY=($(compgen -W "text= json= sarif= junit=" -- "$cur"))
                compopt -o nospace 2>/dev/null
                ;;
            --rule)
                COMPREPLY=($(compgen -W "$(command "$prog" "${here[@]}" graph 2>/dev/null |
                    awk 'NF { print $1 }')" -- "$cur"))
                ;;
            --since | --rev)
                COMPREPLY=($(compgen -W "HEAD $(git ${dir:+-C "$dir"} for-each-ref \
                    --format='%(refname:short)' 2>/dev/null)" -- "$cur"))
                ;;
        esac
        return 0
    fi

    if [[ $cur == -* ]]; then
        local opts
        opts=$(awk -F '\t' -v p="$path" '$1 == p { print $2 }' <<<"$table" | tr -d '=')
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi

    local subs
    if [[ $path == help ]]; then
        subs=$(_sotinc_children "$table" "$named" | grep -v -x -F help)
    elif [[ $path == explain ]]; then
        subs=$(command "$prog" "${here[@]}" graph 2>/dev/null | awk 'NF { print $1 }')
    else
        subs=$(_sotinc_children "$table" "$path")
    fi
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
    return 0
}

complete -F _sotinc sotinc
