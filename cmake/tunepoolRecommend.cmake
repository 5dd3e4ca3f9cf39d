# tunepoolRecommend.cmake - tunepool_recommend(): a measured thread-pool size for a project, at configure time.
#
# Installed next to tunepoolConfig.cmake and included by it, so that
#
#   find_package(tunepool 0.1 REQUIRED)
#   tunepool_recommend(POOL_THREADS WORKLOAD io LATENCY 2ms COMPUTE 100us TARGET app)
#
# sets POOL_THREADS to the recommended pool size. Signature:
#
#   tunepool_recommend(<var> WORKLOAD <io|cpu|...>
#                      [LATENCY <duration>] [COMPUTE <duration>]
#                      [ARGS <tune-pool option>...]
#                      [RESULTS <file.json>]
#                      [TARGET <target> [<PRIVATE|PUBLIC|INTERFACE>]]
#                      [REFRESH])
#
# Where the number comes from:
#   - RESULTS names a results document (tune-pool's NAME.json). When it
#     exists it is read and nothing is measured: commit one to get the same
#     number on every configure. When it does not exist, the tuner runs and
#     writes it there.
#   - Without RESULTS the document is ${CMAKE_BINARY_DIR}/tunepool/<var>.json:
#     measured on the first configure, read from then on (delete it, or pass
#     REFRESH, to measure again).
#   - The tuner is the imported target tunepool::tune-pool of this package,
#     else tune-pool found on PATH (cache variable TUNEPOOL_EXECUTABLE).
#     It runs with --workload, --latency, --compute and ARGS, --quiet.
#
# What it sets, in the caller's scope:
#   <var>             the recommended threads (e.g. 42)
#   <var>_MULTIPLIER  the recommended m (threads = m x cores)
#   <var>_CORES       the cores it was measured on
#   <var>_WORKLOAD    the workload's name
#   <var>_VERSION     the tune-pool version that measured it
#   <var>_RESULTS     the results document used
# With TARGET, also target_compile_definitions(<target> PRIVATE
# TUNEPOOL_THREADS=<n>) (or the scope given after the target's name).
# Reading the document needs CMake 3.19 (string(JSON)).

function(tunepool_recommend var)
  cmake_parse_arguments(PARSE_ARGV 1 TP "REFRESH" "WORKLOAD;LATENCY;COMPUTE;RESULTS" "ARGS;TARGET")
  if(TP_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "tunepool_recommend: unknown arguments: ${TP_UNPARSED_ARGUMENTS}")
  endif()
  if(CMAKE_VERSION VERSION_LESS 3.19)
    message(FATAL_ERROR "tunepool_recommend: needs CMake 3.19 or newer (string(JSON))")
  endif()
  if(NOT TP_RESULTS)
    set(TP_RESULTS "${CMAKE_BINARY_DIR}/tunepool/${var}.json")
  endif()
  get_filename_component(TP_RESULTS "${TP_RESULTS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")

  if(NOT EXISTS "${TP_RESULTS}" OR TP_REFRESH)
    if(NOT TP_WORKLOAD)
      message(FATAL_ERROR "tunepool_recommend: WORKLOAD is required to measure (no results at ${TP_RESULTS})")
    endif()
    _tunepool_find_executable(exe)
    get_filename_component(dir "${TP_RESULTS}" DIRECTORY)
    get_filename_component(name "${TP_RESULTS}" NAME)
    string(REGEX REPLACE "\\.json$" "" name "${name}")
    if(NOT "${TP_RESULTS}" MATCHES "\\.json$")
      message(FATAL_ERROR "tunepool_recommend: RESULTS must end in .json: ${TP_RESULTS}")
    endif()
    set(cmd "${exe}" "--workload=${TP_WORKLOAD}")
    if(TP_LATENCY)
      list(APPEND cmd "--latency=${TP_LATENCY}")
    endif()
    if(TP_COMPUTE)
      list(APPEND cmd "--compute=${TP_COMPUTE}")
    endif()
    list(APPEND cmd ${TP_ARGS} "--output-dir=${dir}" "--name=${name}" --quiet --format=csv)
    file(MAKE_DIRECTORY "${dir}")
    message(STATUS "tunepool: measuring ${var} (workload ${TP_WORKLOAD}); this takes a while")
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      string(REPLACE ";" " " shown "${cmd}")
      message(FATAL_ERROR "tunepool_recommend: tune-pool failed (exit ${rc}):\n  ${shown}\n${err}")
    endif()
  endif()

  file(READ "${TP_RESULTS}" doc)
  string(JSON tool ERROR_VARIABLE e1 GET "${doc}" tool)
  string(JSON schema ERROR_VARIABLE e2 GET "${doc}" schema)
  if(e1 OR e2 OR NOT tool STREQUAL "tune-pool" OR NOT schema EQUAL 1)
    message(FATAL_ERROR "tunepool_recommend: ${TP_RESULTS} is not a tune-pool results document (schema 1)")
  endif()
  string(JSON rec_type ERROR_VARIABLE e3 TYPE "${doc}" recommendation)
  if(e3 OR NOT rec_type STREQUAL "OBJECT")
    message(FATAL_ERROR "tunepool_recommend: ${TP_RESULTS} has no recommendation (no point was measured)")
  endif()
  string(JSON threads GET "${doc}" recommendation threads)
  string(JSON multiplier GET "${doc}" recommendation multiplier)
  string(JSON cores GET "${doc}" sweep cores)
  string(JSON workload GET "${doc}" workload name)
  string(JSON version GET "${doc}" version)
  if(TP_WORKLOAD AND NOT TP_WORKLOAD STREQUAL workload)
    message(WARNING "tunepool_recommend: ${TP_RESULTS} measured workload '${workload}', not '${TP_WORKLOAD}'")
  endif()
  # Editing or replacing the document configures again.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${TP_RESULTS}")

  set(${var} "${threads}" PARENT_SCOPE)
  set(${var}_MULTIPLIER "${multiplier}" PARENT_SCOPE)
  set(${var}_CORES "${cores}" PARENT_SCOPE)
  set(${var}_WORKLOAD "${workload}" PARENT_SCOPE)
  set(${var}_VERSION "${version}" PARENT_SCOPE)
  set(${var}_RESULTS "${TP_RESULTS}" PARENT_SCOPE)
  if(TP_TARGET)
    list(GET TP_TARGET 0 tgt)
    set(scope PRIVATE)
    list(LENGTH TP_TARGET n)
    if(n GREATER 1)
      list(GET TP_TARGET 1 scope)
    endif()
    target_compile_definitions(${tgt} ${scope} TUNEPOOL_THREADS=${threads})
  endif()
  message(STATUS "tunepool: ${var} = ${threads} threads (m = ${multiplier} on ${cores} cores, workload ${workload})")
endfunction()

# The tuner: this package's imported executable, else tune-pool on PATH.
function(_tunepool_find_executable out)
  if(TARGET tunepool::tune-pool)
    get_target_property(exe tunepool::tune-pool LOCATION)
    if(exe AND EXISTS "${exe}")
      set(${out} "${exe}" PARENT_SCOPE)
      return()
    endif()
  endif()
  find_program(TUNEPOOL_EXECUTABLE tune-pool)
  if(NOT TUNEPOOL_EXECUTABLE)
    message(FATAL_ERROR "tunepool_recommend: tune-pool not found (install tunepool, or set TUNEPOOL_EXECUTABLE)")
  endif()
  set(${out} "${TUNEPOOL_EXECUTABLE}" PARENT_SCOPE)
endfunction()
