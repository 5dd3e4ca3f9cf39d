# tunepoolExtras.cmake - installs the build-integration pieces: the CMake module, the man page, plot.gp.
# Included from the top-level CMakeLists.txt after the tune-pool target exists.

# tunepool_recommend(), included by tunepoolConfig.cmake.
install(FILES ${PROJECT_SOURCE_DIR}/cmake/tunepoolRecommend.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/tunepool)

# The gnuplot script that renders any results CSV by hand.
install(FILES ${PROJECT_SOURCE_DIR}/scripts/plot.gp DESTINATION ${CMAKE_INSTALL_DATADIR}/tunepool)
# The JSON Schemas of the documents tune-pool writes (their $id: urn:tune-pool:schema:<kind>).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/schema/ DESTINATION ${CMAKE_INSTALL_DATADIR}/tunepool/schema)

# The man page: the options from --help and --version by help2man at build
# time, the sections written for people (description, examples, exit status,
# files) from docs/tune-pool.h2m; without help2man the build goes on without it.
find_program(TP_HELP2MAN help2man)
if(TP_HELP2MAN)
  set(tp_man ${CMAKE_CURRENT_BINARY_DIR}/tune-pool.1)
  add_custom_command(OUTPUT ${tp_man}
    COMMAND ${TP_HELP2MAN} --no-info --section=1 --source=tunepool
            "--name=measure thread-pool sizes and recommend one"
            --include=${PROJECT_SOURCE_DIR}/docs/tune-pool.h2m
            --output=${tp_man} $<TARGET_FILE:tune-pool>
    DEPENDS tune-pool ${PROJECT_SOURCE_DIR}/docs/tune-pool.h2m
    COMMENT "Generating the tune-pool man page with help2man"
    VERBATIM)
  add_custom_target(tunepool_man ALL DEPENDS ${tp_man})
  install(FILES ${tp_man} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(STATUS "help2man not found: the tune-pool man page will not be built (Debian package help2man)")
endif()

# The manual's pages and the examples, for the package's users.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR} FILES_MATCHING PATTERN "*.md")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples DESTINATION ${CMAKE_INSTALL_DOCDIR})
