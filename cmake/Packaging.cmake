# Installation layout and the Debian package (`cpack` in the build
# directory writes sotinc_VERSION_ARCH.deb; scripts/test-package.sh
# installs and tries it).
#
# Installed: the binary, the man page generated from the binary's own help
# (build/sotinc.1, see cmake/ManPage.cmake) and the bash and zsh
# completions, at the places Debian's bash-completion and zsh look.
include(GNUInstallDirs)

set(SOTINC_MAN_PAGE ${CMAKE_CURRENT_BINARY_DIR}/sotinc.1)
add_custom_command(
  OUTPUT ${SOTINC_MAN_PAGE}
  COMMAND ${CMAKE_COMMAND} -DSOTINC=$<TARGET_FILE:sotinc> -DOUT=${SOTINC_MAN_PAGE}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManPage.cmake
  DEPENDS sotinc ${CMAKE_CURRENT_SOURCE_DIR}/cmake/ManPage.cmake
  COMMENT "Generating the man page sotinc.1"
  VERBATIM)
add_custom_target(sotinc_man ALL DEPENDS ${SOTINC_MAN_PAGE})

install(TARGETS sotinc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${SOTINC_MAN_PAGE} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES share/completions/sotinc.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME sotinc)
install(FILES share/completions/_sotinc DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sotinc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "validates a git repository against the rules in its sotinc.yaml, incrementally")
set(CPACK_PACKAGE_DESCRIPTION
    "sotinc checks folder structure, required files, YAML/JSON values tied to folder names, forbidden or required content and external commands, with results cached by content.")
set(CPACK_PACKAGE_CONTACT "sotinc maintainers <sotinc@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Debian 12 (bookworm) runtime packages of the libraries sotinc links
# (`dpkg -S` on each .so the binary needs); git itself is not needed.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libgcc-s1, libstdc++6, libgit2-1.5, libsqlite3-0, libyaml-cpp0.7, libre2-9, libxxhash0")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "git, bash-completion")
include(CPack)
