# Writes the man page: runs `SOTINC help --man` and stores its output in OUT.
# Invoked by the build (cmake -DSOTINC=... -DOUT=... -P ManPage.cmake) so
# that a failing binary fails the build instead of leaving an empty page.
execute_process(COMMAND "${SOTINC}" help --man
                OUTPUT_FILE "${OUT}.tmp"
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  file(REMOVE "${OUT}.tmp")
  message(FATAL_ERROR "'${SOTINC} help --man' failed (${status})")
endif()
file(RENAME "${OUT}.tmp" "${OUT}")
